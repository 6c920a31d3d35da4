//! Server-rendered pages: minijinja templates embedded in the binary, with the UI texts as `t`.

use super::texts::{text, texts};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, Value};
use rust_embed::RustEmbed;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct Templates;

#[derive(RustEmbed)]
#[folder = "static/"]
pub struct StaticFiles;

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_loader(|name| {
            Ok(Templates::get(name).map(|file| String::from_utf8_lossy(&file.data).into_owned()))
        });
        env.add_global("t", Value::from_serialize(texts()));
        env.add_function("limit_text", |days: u32| {
            if days == 0 {
                text("guide_on_the_spot").to_string()
            } else {
                format!("{days} {}", text("guide_working_days"))
            }
        });
        // A citizen's name on a list whose reader needs the case, not the person (张**).
        env.add_filter("masked_name", |name: &str| banshi_domain::privacy::mask_name(name));
        env
    })
}

/// Renders a template; a template error is a bug, logged and answered as a plain error page.
pub fn render(name: &str, context: Value) -> Response {
    render_with_status(StatusCode::OK, name, context)
}

fn render_with_status(status: StatusCode, name: &str, context: Value) -> Response {
    match environment().get_template(name).and_then(|t| t.render(context)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(template = name, error = %format!("{err:#}"), "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(format!("<h1>{}</h1>", text("error_internal")))).into_response()
        }
    }
}

/// A refusal shown as a page. It is rendered here without knowing who asks; the frame's layer
/// (`frame::error_pages_in_frame`) renders it again in the signed-in staff member's own frame.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let mut response = render_with_status(status, "shared/error.html", minijinja::context! { message });
    response.extensions_mut().insert(ErrorPage { message: message.to_string() });
    response
}

/// The message of an error page, for the frame's layer.
#[derive(Clone)]
pub struct ErrorPage {
    pub message: String,
}

/// The error page for `message` in a frame (`frame::frame`'s context).
pub fn error_page_in(status: StatusCode, message: &str, frame: Value) -> Response {
    render_with_status(status, "shared/error.html", minijinja::context! { message, ..frame })
}

#[cfg(test)]
mod tests {
    use super::Templates;

    /// Every `render("…")` of the code names a template that is there.
    #[test]
    fn every_template_the_code_renders_exists() {
        fn sources(folder: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, found);
                } else {
                    found.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let names: Vec<&str> = files.iter().flat_map(|s| s.split('"').filter(|part| part.ends_with(".html") && part.contains('/'))).collect();
        assert!(names.len() > 30, "the code names its templates: {names:?}");
        let missing: Vec<&&str> = names.iter().filter(|name| Templates::get(name).is_none()).collect();
        assert!(missing.is_empty(), "templates named but not there: {missing:?}");
    }
}
