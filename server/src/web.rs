//! The portal's HTTP side: middleware (client info, CSRF, security
//! headers), health checks, the audit export, and the Leptos routes.

use app::api::context::Ctx;
use app::api::state::AppState;
use app::core::actions::AuditAction;
use app::core::{ClientInfo, audit_export, storage};
use app::error::AppError;
use app::model::AuditFilter;
use app::{App, shell};
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use futures::StreamExt;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::services::ServeFile;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// Minutes of inactivity after which a session ends.
pub const SESSION_IDLE_MINUTES: i64 = 30;

/// Builds the whole portal router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let secure = state.config.secure_cookies();
    let sessions = SessionManagerLayer::new(app::api::session_store::DbSessionStore::new(state.db.clone()))
        .with_name(state.config.cookie_name("dataport_session"))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(Duration::minutes(SESSION_IDLE_MINUTES)))
        // Saving on every request is what makes the expiry count from the last activity.
        .with_always_save(true);
    let https = state.config.public_origin.starts_with("https://");
    let leptos_options = state.leptos_options.clone();
    let site_root = leptos_options.site_root.to_string();
    // Only pages, server functions and exports touch the session: a static
    // file loaded beside a form post must not write back an older session.
    let pages = Router::new()
        .route("/audit/export.csv", get(export_audit))
        .route("/s/{token}/download", axum::routing::post(crate::share_route::download))
        .route("/usecases/{id}/buckets/{bucket}/archive", axum::routing::post(crate::archive_route::download))
        .route("/usecases/{id}/buckets/{bucket}/download", get(crate::download_route::download))
        .route("/usecases/{id}/buckets/{bucket}/thumbnail", get(crate::thumbnail_route::thumbnail))
        .leptos_routes_with_context(&state, routes, || {}, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        .layer(sessions);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest("/pkg", crate::site::pkg_routes(&site_root))
        .route_service("/favicon.svg", ServeFile::new(format!("{site_root}/favicon.svg")))
        .route_service("/robots.txt", ServeFile::new(format!("{site_root}/robots.txt")))
        // The API takes bearer tokens only: outside the session layer, a
        // browser's cookies count for nothing there.
        .merge(crate::rest::router(state.config.api_calls_per_minute))
        .merge(pages)
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn_with_state(state.clone(), database_gone))
        .layer(middleware::from_fn_with_state(state.clone(), refuse_cross_site))
        .layer(middleware::from_fn(client_info))
        .layer(middleware::from_fn_with_state(https, strict_transport))
        // pkg/ comes precompressed; pages and answers are compressed as they go.
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::new("application/wasm"))
                    .and(NotForContentType::new("application/zip")),
            ),
        )
        .with_state(state)
}

/// Records where a request came from and sets security headers on the answer.
async fn client_info(mut req: Request<Body>, next: Next) -> Response {
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let user_agent =
        req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(512).collect());
    req.extensions_mut().insert(ClientInfo { ip, user_agent });
    let path = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    );
    // Answers of server functions and exports are one person's data.
    if path.starts_with("/api/") || path.starts_with("/audit/") {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// `Strict-Transport-Security` when the portal is served over https.
async fn strict_transport(State(https): State<bool>, req: Request<Body>, next: Next) -> Response {
    let mut resp = next.run(req).await;
    if https {
        resp.headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    resp
}

/// Gives a failed server function the status of its error (401, 403, 400,
/// 404, 409, …) instead of the 500 server_fn answers every error with.
/// A plain form post is answered with a redirect that carries the error,
/// and stays as it is.
async fn error_status(req: Request<Body>, next: Next) -> Response {
    let server_fn = req.uri().path().starts_with("/api/") && !crate::rest_path(req.uri().path());
    let resp = next.run(req).await;
    if !server_fn || resp.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.status()) {
            parts.status = status;
        }
        if let AppError::TooManyAttempts(wait) = error {
            parts.headers.insert(header::RETRY_AFTER, wait.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Answers a failure that follows a lost database with 503 and a sentence
/// that says so (the session layer, for one, answers a bare 500 when it
/// cannot read the session); the portal recovers by itself when the
/// database returns.
async fn database_gone(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.status() != StatusCode::INTERNAL_SERVER_ERROR || state.db.reachable() {
        return resp;
    }
    let mut resp = (StatusCode::SERVICE_UNAVAILABLE, AppError::Unavailable.to_string()).into_response();
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    resp
}

/// Refuses state-changing requests that did not come from the portal's own
/// pages, and audits the refusal (no tenant; repeats are summarised).
async fn refuse_cross_site(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let trusted = &state.config.browser_origins;
    // The API authenticates by a header that no other site can make a browser send.
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || crate::rest_path(req.uri().path()) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let same_origin = headers.get("sec-fetch-site").is_some_and(|v| v == "same-origin");
    let trusted_origin =
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).is_some_and(|o| trusted.iter().any(|t| t == o));
    if same_origin || trusted_origin {
        next.run(req).await
    } else {
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or("none").to_owned();
        let client = req.extensions().get::<ClientInfo>().cloned().unwrap_or_default();
        let principal = app::core::Principal::anonymous(client);
        let detail = format!("{} {} from origin {origin}", req.method(), req.uri().path());
        app::core::refusals::record(&state, &principal, AuditAction::CrossSiteRequest, detail).await;
        (
            StatusCode::FORBIDDEN,
            "This request did not come from a Dataport page and was refused. Open the portal and try again.",
        )
            .into_response()
    }
}

/// The process is alive.
async fn healthz() -> &'static str {
    "ok"
}

/// How long `/readyz` trusts its last answer from S3: anyone may poll it,
/// and each poll must not cost an S3 call.
const S3_PROBE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// When S3 was last asked, and whether it answered.
static S3_PROBE: tokio::sync::Mutex<Option<(std::time::Instant, bool)>> = tokio::sync::Mutex::const_new(None);

async fn s3_reachable(state: &AppState) -> bool {
    let mut last = S3_PROBE.lock().await;
    if let Some((at, ok)) = *last
        && at.elapsed() < S3_PROBE_TTL
    {
        return ok;
    }
    let ok = storage::probe(state.s3.portal_client()).await.is_ok();
    *last = Some((std::time::Instant::now(), ok));
    ok
}

/// The database and S3 are reachable.
async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.db.run(|c| app::core::identity::needs_setup(c).map(|_| ())).await;
    let s3: Result<(), ()> = if s3_reachable(&state).await { Ok(()) } else { Err(()) };
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let ready = database.is_ok() && s3.is_ok();
    let body = serde_json::json!({
        "status": word(ready),
        "database": word(database.is_ok()),
        "s3": word(s3.is_ok()),
    });
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

/// The audit trail as a CSV file, with the audit page's filters, streamed
/// a batch at a time so that any number of events leaves memory flat.
async fn export_audit(
    State(state): State<AppState>,
    session: Session,
    Extension(client): Extension<ClientInfo>,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let cx = match Ctx::from_parts(state, session, client).await {
        Ok(cx) => cx,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let export = match audit_export::begin(&cx.state, &cx.principal, filter).await.map_err(AppError::from) {
        Ok(export) => export,
        Err(AppError::NotSignedIn) => return Redirect::to("/sign-in").into_response(),
        Err(e @ AppError::Denied) => return (StatusCode::FORBIDDEN, e.to_string()).into_response(),
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let db = cx.state.db.clone();
    // The cursor: `Some(None)` to start, `Some(Some(seq))` to go on before `seq`, `None` when done.
    let rows = futures::stream::unfold(Some(None), move |cursor: Option<Option<i64>>| {
        let (db, export) = (db.clone(), export.clone());
        async move {
            let before = cursor?;
            match db.run(move |c| export.batch(c, before)).await {
                Ok((lines, next)) => Some((Ok::<_, std::io::Error>(lines), next.map(Some))),
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    let body = futures::stream::once(async { Ok(audit_export::HEADER.to_owned()) }).chain(rows);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"dataport-audit.csv\""),
        ],
        // Fused: a compressing layer may ask again after the last batch.
        Body::from_stream(body.fuse()),
    )
        .into_response()
}
