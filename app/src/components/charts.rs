//! Charts drawn as SVG on the server: readable without JavaScript, with a
//! title, axis labels, and the numbers behind them in a table under "Show data".

use crate::components::format_size;
use crate::model::{DayCount, StoredBytes};
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 12.0;

/// Events per day, stacked by outcome.
#[component]
pub fn EventsChart(
    /// One entry a day, oldest first.
    days: Vec<DayCount>,
) -> impl IntoView {
    let max = days.iter().map(DayCount::total).max().unwrap_or(0).max(1) as f64;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let step = (WIDTH - LEFT - 8.0) / days.len().max(1) as f64;
    let bars = days.iter().enumerate().map(|(i, d)| {
        let x = LEFT + i as f64 * step + 1.0;
        let mut y = HEIGHT - BOTTOM;
        let parts = [(d.success, "bar-success"), (d.denied, "bar-denied"), (d.error, "bar-error")];
        parts
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, class)| {
                let h = n as f64 / max * plot_h;
                y -= h;
                view! { <rect class=class x=x y=y width=(step - 2.0).max(1.0) height=h /> }
            })
            .collect_view()
    });
    let first = days.first().map(|d| d.day.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.day.clone()).unwrap_or_default();
    let rows = days.iter().rev().map(|d| {
        view! {
            <tr>
                <td>{d.day.clone()}</td>
                <td>{d.success}</td>
                <td>{d.denied}</td>
                <td>{d.error}</td>
            </tr>
        }
    });
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="events-chart-title events-chart-desc">
                <title id="events-chart-title">"Events per day over the last 30 days, by outcome"</title>
                <desc id="events-chart-desc">
                    {format!("Stacked bars from {first} to {last}: succeeded, refused and failed events; the tallest day has {max} events.")}
                </desc>
                <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=HEIGHT - BOTTOM />
                <line class="axis" x1=LEFT y1=HEIGHT - BOTTOM x2=WIDTH - 8.0 y2=HEIGHT - BOTTOM />
                <text x=LEFT - 6.0 y=TOP + 10.0 text-anchor="end">{max}</text>
                <text x=LEFT - 6.0 y=HEIGHT - BOTTOM text-anchor="end">"0"</text>
                <text x=12 y=HEIGHT / 2.0 transform=format!("rotate(-90 12 {})", HEIGHT / 2.0) text-anchor="middle">"Events"</text>
                <text x=LEFT y=HEIGHT - BOTTOM + 14.0>{first.clone()}</text>
                <text x=WIDTH - 8.0 y=HEIGHT - BOTTOM + 14.0 text-anchor="end">{last.clone()}</text>
                <text x=(LEFT + WIDTH) / 2.0 y=HEIGHT - 4.0 text-anchor="middle">"Day (UTC)"</text>
                {bars.collect_view()}
            </svg>
            <figcaption>
                <span class="key key-success">"Succeeded"</span>
                " "
                <span class="key key-denied">"Refused"</span>
                " "
                <span class="key key-error">"Failed"</span>
            </figcaption>
            <details>
                <summary>"Show data"</summary>
                <table>
                    <caption>"Events per day"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Day"</th>
                            <th scope="col">"Succeeded"</th>
                            <th scope="col">"Refused"</th>
                            <th scope="col">"Failed"</th>
                        </tr>
                    </thead>
                    <tbody>{rows.collect_view()}</tbody>
                </table>
            </details>
        </figure>
    }
}

/// Bytes stored per usecase and bucket, as horizontal bars.
#[component]
pub fn StorageChart(
    /// One entry per usecase and bucket.
    rows: Vec<StoredBytes>,
) -> impl IntoView {
    let max = rows.iter().map(|r| r.bytes).max().unwrap_or(0).max(1) as f64;
    let bar_h = 22.0;
    let label_w = 220.0;
    let height = TOP + rows.len() as f64 * (bar_h + 6.0) + BOTTOM;
    let bars = rows.iter().enumerate().map(|(i, r)| {
        let y = TOP + i as f64 * (bar_h + 6.0);
        let w = r.bytes as f64 / max * (WIDTH - label_w - 90.0);
        view! {
            <text x=label_w - 6.0 y=y + bar_h * 0.7 text-anchor="end">{format!("{} · {}", r.usecase, r.bucket)}</text>
            <rect class="bar-success" x=label_w y=y width=w.max(1.0) height=bar_h />
            <text x=label_w + w + 6.0 y=y + bar_h * 0.7>{format_size(r.bytes)}</text>
        }
    });
    let table = rows.iter().map(|r| {
        view! {
            <tr>
                <td>{r.usecase.clone()}</td>
                <td>{r.bucket.clone()}</td>
                <td>{r.files}</td>
                <td title=format!("{} bytes", r.bytes)>{format_size(r.bytes)}</td>
            </tr>
        }
    });
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby="storage-chart-title">
                <title id="storage-chart-title">"Bytes stored per usecase and bucket, from the files uploaded through Dataport"</title>
                <line class="axis" x1=label_w y1=TOP x2=label_w y2=height - BOTTOM />
                <text x=(label_w + WIDTH) / 2.0 y=height - 8.0 text-anchor="middle">"Bytes stored"</text>
                {bars.collect_view()}
            </svg>
            <details>
                <summary>"Show data"</summary>
                <table>
                    <caption>"Bytes stored"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Usecase"</th>
                            <th scope="col">"Bucket"</th>
                            <th scope="col">"Files"</th>
                            <th scope="col">"Size"</th>
                        </tr>
                    </thead>
                    <tbody>{table.collect_view()}</tbody>
                </table>
            </details>
        </figure>
    }
}
