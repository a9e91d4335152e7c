//! The pages, their scripts and style, embedded in the binary: the app works offline and
//! fetches nothing from elsewhere.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// `(path, content type, contents)` of every embedded file.
const FILES: &[(&str, &str, &str)] = &[
    ("/", "text/html; charset=utf-8", include_str!("../assets/playground.html")),
    ("/runs", "text/html; charset=utf-8", include_str!("../assets/runs.html")),
    ("/assets/style.css", "text/css; charset=utf-8", include_str!("../assets/style.css")),
    ("/assets/playground.js", "text/javascript; charset=utf-8", include_str!("../assets/playground.js")),
    ("/assets/settings.js", "text/javascript; charset=utf-8", include_str!("../assets/settings.js")),
    ("/assets/network-view.js", "text/javascript; charset=utf-8", include_str!("../assets/network-view.js")),
    ("/assets/equations.js", "text/javascript; charset=utf-8", include_str!("../assets/equations.js")),
    ("/assets/charts.js", "text/javascript; charset=utf-8", include_str!("../assets/charts.js")),
    ("/assets/runs.js", "text/javascript; charset=utf-8", include_str!("../assets/runs.js")),
];

/// A route for each embedded file. Scripts run only from here (the pages' content security
/// policy allows nothing else).
pub fn routes() -> Router {
    FILES.iter().fold(Router::new(), |router, &(path, content_type, contents)| {
        router.route(
            path,
            get(move || async move {
                let headers = [
                    (header::CONTENT_TYPE, content_type),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'",
                    ),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                ];
                (headers, contents).into_response()
            }),
        )
    })
}
