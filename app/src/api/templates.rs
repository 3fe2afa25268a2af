//! Templates and the image library: the template list and its dialogs (create, rename,
//! duplicate, delete), the editors' load, save and history, the server-rendered previews the
//! list shows as thumbnails, and the image picker's list and delete.

use leptos::prelude::*;
use model::templates::{
    MediaFile, NewTemplate, SaveOutcome, SaveRequest, Template, TemplateSummary, TemplateVersion, VersionSummary,
};
use server_fn::codec::Json;

use crate::api::ApiError;

/// Every template without its content, most recently changed first, for the library page
/// (content is fetched per card by [`preview_template`], so the list stays small).
#[server(endpoint = "templates/list", input = Json)]
pub async fn list_templates() -> Result<Vec<TemplateSummary>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.templates.templates.list().await?)
        }
        .await,
    )
}

/// One template with its current content and version, which the editor opens and later
/// sends back as the version its save is based on.
#[server(endpoint = "templates/get", input = Json)]
pub async fn get_template(id: i64) -> Result<Template, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.templates.templates.get(id).await?)
        }
        .await,
    )
}

/// Creates a template from the "New template" dialog or as a duplicate; a blank name is
/// derived from the source by the engine, a typed one must be free.
#[server(endpoint = "templates/create", input = Json)]
pub async fn create_template(new: NewTemplate) -> Result<Template, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let t = state()?.templates.templates.create(new, &me.username).await?;
            tracing::info!(by = %me.username, template = t.id, name = %t.name, kind = t.kind.as_str(), "template created");
            Ok(t)
        }
        .await,
    )
}

/// Renames a template without touching its content or version, so open editors keep
/// saving without a conflict.
#[server(endpoint = "templates/rename", input = Json)]
pub async fn rename_template(id: i64, name: String) -> Result<Template, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let t = state()?.templates.templates.rename(id, &name).await?;
            tracing::info!(by = %me.username, template = t.id, name = %t.name, "template renamed");
            Ok(t)
        }
        .await,
    )
}

/// Deletes a template with its whole history; emails already sent are not affected.
#[server(endpoint = "templates/delete", input = Json)]
pub async fn delete_template(id: i64) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.templates.templates.delete(id).await?;
            tracing::info!(by = %me.username, template = id, "template deleted");
            Ok(())
        }
        .await,
    )
}

/// Stores the editor's content as the next version. A save based on an older version is
/// refused (409), so two tabs or two admins never silently overwrite each other.
#[server(endpoint = "templates/save", input = Json)]
pub async fn save_template(request: SaveRequest) -> Result<SaveOutcome, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let id = request.template_id;
            let autosave = request.autosave;
            let outcome = state()?.templates.templates.save(request, &me.username).await?;
            // The editor's timer saves every few seconds while someone types: those saves are
            // kept out of the info log so it keeps showing what people deliberately did.
            if autosave {
                tracing::debug!(by = %me.username, template = id, version = outcome.version, "template autosaved");
            } else {
                tracing::info!(by = %me.username, template = id, version = outcome.version, "template saved");
            }
            Ok(outcome)
        }
        .await,
    )
}

/// A template's history, newest first, for the editor's "Versions" panel.
#[server(endpoint = "templates/versions", input = Json)]
pub async fn template_versions(id: i64) -> Result<Vec<VersionSummary>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.templates.templates.versions(id).await?)
        }
        .await,
    )
}

/// One stored version with its content, so it can be previewed before it is restored.
#[server(endpoint = "templates/version", input = Json)]
pub async fn get_template_version(id: i64, version: i32) -> Result<TemplateVersion, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.templates.templates.version(id, version).await?)
        }
        .await,
    )
}

/// Makes an old version current again as a new save (history is never rewritten); the
/// outcome is the editor's next expected version.
#[server(endpoint = "templates/restore", input = Json)]
pub async fn restore_template_version(id: i64, version: i32) -> Result<SaveOutcome, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let outcome = state()?.templates.templates.restore(id, version, &me.username).await?;
            tracing::info!(
                by = %me.username,
                template = id,
                restored = version,
                version = outcome.version,
                "template version restored"
            );
            Ok(outcome)
        }
        .await,
    )
}

/// The template as a recipient would see it, rendered on the server (where the MJML
/// renderer lives, keeping it out of the browser bundle) with sample recipient values, for
/// the library's thumbnails. Shown only inside a sandboxed iframe.
#[server(endpoint = "templates/preview", input = Json)]
pub async fn preview_template(id: i64) -> Result<String, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let st = state()?;
            let template = st.templates.templates.get(id).await?;
            match (template.document, template.html) {
                (Some(doc), _) => {
                    let compiled = model::email::compile(&doc).map_err(|e| {
                        tracing::warn!(template = id, error = %e, "a stored template does not render");
                        ApiError::invalid("content", format!("This template cannot be rendered: {e}."))
                    })?;
                    let origin = site_url(&st).await;
                    let lookup = move |name: &str| model::email::sample_value(name, &origin);
                    Ok(compiled.render_for(&lookup).html)
                }
                (None, Some(html)) => Ok(html),
                (None, None) => Ok(String::new()),
            }
        }
        .await,
    )
}

/// Every image of the library, newest first, for the editor's image picker.
#[server(endpoint = "templates/media/list", input = Json)]
pub async fn list_media() -> Result<Vec<MediaFile>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.templates.media.list().await?)
        }
        .await,
    )
}

/// Removes an image and its file; templates and sent emails showing it lose the picture,
/// which the picker warns about before calling this.
#[server(endpoint = "templates/media/delete", input = Json)]
pub async fn delete_media(id: i64) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.templates.media.delete(id).await?;
            tracing::info!(by = %me.username, media = id, "image deleted");
            Ok(())
        }
        .await,
    )
}

/// The site's absolute origin without a trailing slash (`BM_PUBLIC_URL`, else the scheme
/// and the request's Host header), so starter images (`{{ site_url }}/static/…`) load in
/// previews. Empty when neither is known: the images then resolve against the admin page
/// the preview is shown in.
#[cfg(feature = "ssr")]
async fn site_url(st: &crate::api::state::AppState) -> String {
    if let Some(origin) = &st.site.public_origin {
        return origin.trim_end_matches('/').to_owned();
    }
    let host = crate::api::request::headers()
        .await
        .ok()
        .and_then(|h| h.get(http::header::HOST).and_then(|v| v.to_str().ok()).map(str::to_owned));
    match host {
        Some(host) if is_plausible_host(&host) => {
            let scheme = if st.site.secure_cookies { "https" } else { "http" };
            format!("{scheme}://{host}")
        }
        _ => String::new(),
    }
}

/// A Host header fit to be put into a URL: a name or address with an optional port, and
/// nothing (a path, quotes, spaces) that could change what the URL points at.
#[cfg(feature = "ssr")]
fn is_plausible_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn only_plain_hosts_become_the_site_url() {
        assert!(is_plausible_host("mail.example.com"));
        assert!(is_plausible_host("localhost:3000"));
        assert!(is_plausible_host("[::1]:3000"));
        assert!(!is_plausible_host("evil.test/path"));
        assert!(!is_plausible_host("a\"b"));
        assert!(!is_plausible_host(""));
    }
}
