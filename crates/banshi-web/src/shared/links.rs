//! Links a citizen takes away on paper or scans with a phone (the ticket's status page, the
//! receipt's progress query): whole addresses, since a path alone leads a phone nowhere. They
//! start with `serve --public-url`, or else with the address the request itself came to.

use super::AppState;
use axum::http::{header, HeaderMap};

/// `path` as an address a phone can open.
pub fn public_link(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    match &state.public_url {
        Some(base) => format!("{base}{path}"),
        None => {
            // Only a host of letters, digits, dots, dashes, colons and brackets is taken from the
            // request: anything else and the link stays a path.
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)));
            let scheme = if state.secure_cookies { "https" } else { "http" };
            host.map_or_else(|| path.to_string(), |host| format!("{scheme}://{host}{path}"))
        }
    }
}

/// The QR code of `text`, as an SVG of at least `size` pixels square.
pub fn qr_svg(text: &str, size: u32) -> String {
    qrcode::QrCode::new(text.as_bytes()).map(|code| code.render::<qrcode::render::svg::Color>().min_dimensions(size, size).build()).unwrap_or_default()
}
