//! `POST /usecases/{id}/buckets/{bucket}/archive`: a folder, or what was
//! picked in it, as one zip file. A plain form posts it (the folder page
//! works before its script has loaded), and the archive streams out while
//! the portal reads the objects from S3.

use crate::plain::{page, refusal};
use app::api::context::Ctx;
use app::api::state::AppState;
use app::core::ClientInfo;
use app::core::archive;
use app::core::selection::Selection;
use app::ids::UsecaseId;
use app::names::{BucketName, ObjectKey, Prefix};
use axum::Extension;
use axum::body::Body;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio_util::io::ReaderStream;
use tower_sessions::Session;

/// Bytes in flight between the archive writer and the connection.
const PIPE: usize = 256 * 1024;

/// The form's fields: `prefix` (the folder shown) and `pick`, once per
/// file or folder (a folder ends in `/`; the folder itself for all of it).
fn selection(usecase_id: &str, bucket: &str, fields: &[(String, String)]) -> Result<(String, Selection), String> {
    let bucket = BucketName::new(bucket)?;
    let base = fields.iter().find(|(k, _)| k == "prefix").map(|(_, v)| v.clone()).unwrap_or_default();
    let base = Prefix::new(base)?;
    let (mut keys, mut folders) = (Vec::new(), Vec::new());
    for (_, pick) in fields.iter().filter(|(k, _)| k == "pick") {
        if pick.is_empty() || pick.ends_with('/') {
            folders.push(Prefix::new(pick.clone())?);
        } else {
            keys.push(ObjectKey::new(pick.clone())?);
        }
    }
    let sel = Selection { usecase_id: UsecaseId::from(usecase_id.to_owned()), bucket, keys, folders };
    Ok((base.to_string(), sel))
}

/// Streams the archive, or says in a sentence why not.
pub async fn download(
    State(state): State<AppState>,
    session: Session,
    Extension(client): Extension<ClientInfo>,
    Path((usecase_id, bucket)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (base, sel) = match selection(&usecase_id, &bucket, &fields) {
        Ok(parsed) => parsed,
        Err(why) => return page(StatusCode::BAD_REQUEST, &why),
    };
    let cx = match Ctx::from_parts(state, session, client).await {
        Ok(cx) => cx,
        Err(e) => return page(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    };
    let prepared = match archive::prepare(&cx.state, &cx.principal, &base, sel).await {
        Ok(prepared) => prepared,
        Err(e) => {
            let denied = "You may not download everything you picked. Nothing was sent; pick only what you may read.";
            return refusal(e, denied, "The files could not be listed; try again in a moment.", "preparing an archive");
        }
    };
    let file_name = prepared.file_name.clone();
    let (writer, reader) = tokio::io::duplex(PIPE);
    let (done, outcome) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let result = archive::write(prepared, writer).await;
        if let Err(e) = &result {
            tracing::warn!(error = %e, "an archive broke off");
        }
        let _ = done.send(result.is_ok());
    });
    // A failure half-way ends the body with an error, so that the browser
    // reports a failed download instead of keeping a truncated archive.
    let tail = futures::stream::once(async move {
        match outcome.await {
            Ok(true) => None,
            _ => Some(Err(std::io::Error::other("the archive broke off"))),
        }
    })
    .filter_map(futures::future::ready);
    let body = Body::from_stream(ReaderStream::new(reader).chain(tail));
    let disposition = app::url::attachment(&file_name);
    let headers = [
        (header::CONTENT_TYPE, "application/zip".to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    (headers, body).into_response()
}
