//! The folder as a grid of pictures: sub-folders, and files shown by a
//! thumbnail the server makes (images within the size limit) or by an
//! icon; each opens its folder or details, and has a checkbox of the same
//! plain selection form as the list (zip, delete). Thumbnails load as their
//! cells come into view, and are small: no cell pulls a full-size image.

use super::rows::Row;
use super::table::Links;
use crate::components::{encode, format_size};
use crate::model::{Listing, has_thumbnail};
use leptos::prelude::*;

/// One page of the folder as a grid.
#[component]
pub fn FolderGrid(listing: Listing, links: Links) -> impl IntoView {
    let rights = listing.rights;
    let rows = Row::all(&listing);
    let empty = rows.is_empty();
    let here = crate::url::folder_href(&links.usecase_id, &links.bucket, &listing.prefix);
    let next = listing.next_token.clone().map(|t| format!("{here}&view=grid&token={}", encode(&t)));
    let cells = rows
        .into_iter()
        .map(|row| {
            let name = row.name().to_owned();
            let href = match &row {
                Row::Folder(_) => format!("{}&view=grid", links.open(&row)),
                Row::File(_) => links.open(&row),
            };
            let (picture, caption) = match &row {
                Row::Folder(_) => {
                    (view! { <span aria-hidden="true" class="icon">"📁"</span> }.into_any(), "Folder".to_owned())
                }
                Row::File(f) if has_thumbnail(&f.name, f.size) => {
                    let src = links.in_bucket(&format!("thumbnail?key={}", encode(&f.key)));
                    let alt = format!("Thumbnail of {}", f.name);
                    (view! { <img src=src alt=alt loading="lazy" /> }.into_any(), format_size(f.size))
                }
                Row::File(f) => {
                    (view! { <span aria-hidden="true" class="icon">"📄"</span> }.into_any(), format_size(f.size))
                }
            };
            let kind = if row.is_folder() { "folder " } else { "" };
            let pick = rights.read.then(|| {
                view! { <input type="checkbox" name="pick" value=row.key().to_owned() aria-label=format!("Select {kind}{name}") /> }
            });
            view! {
                <li>
                    {pick}
                    <a href=href aria-label=name.clone()>
                        {picture}
                        <span class="name">{name.clone()}</span>
                        <span class="caption">{caption}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let (archive, delete_page) = (links.in_bucket("archive"), links.in_bucket("delete"));
    view! {
        {empty.then(|| view! { <p>"This folder is empty. Upload files or drop them here to fill it."</p> })}
        <form method="post" action=archive aria-label="Selection">
            <input type="hidden" name="prefix" value=listing.prefix.clone() />
            <div class="toolbar" role="group" aria-label="Selection actions">
                {(rights.read && !empty).then(|| view! { <button type="submit">"Download selected as zip"</button> })}
                {(rights.delete && !empty).then(|| view! {
                    <button type="submit" formaction=delete_page formmethod="get">"Delete selected"</button>
                })}
            </div>
            <ul class="grid" aria-label="Folders and files">{cells}</ul>
        </form>
        {next.map(|href| view! { <p><a href=href>"Next page"</a></p> })}
    }
}
