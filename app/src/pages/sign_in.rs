//! Sign-in page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_frame::{AuthFrame, FormAlert};
use crate::api::ApiError;
use crate::api::auth::SignIn;
use crate::components::field::{SubmitButton, TextField};

/// Where to go after signing in: `next` if it is a path on this site, else the Overview.
/// Anything else (`//evil.example`, `https://…`, `/\evil`) is ignored: no open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains("://") => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Username + password form; shows wrong-password and lockout messages above it.
#[component]
pub fn SignInPage() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let result = action.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            let target = safe_next(query.get_untracked().get("next").as_deref());
            #[cfg(feature = "hydrate")]
            {
                let _ = window().location().set_href(&target);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = target;
        }
    });
    let error = move || result.get().and_then(Result::err);
    let form_error = Signal::derive(move || {
        error().and_then(|e| match e {
            ApiError::Invalid { .. } => None,
            ApiError::InvalidCredentials { attempts_left } if attempts_left > 0 && attempts_left < 3 => Some(format!(
                "{e} {attempts_left} attempt{} left before sign-in from your address is paused for 5 minutes.",
                if attempts_left == 1 { "" } else { "s" }
            )),
            other => Some(other.to_string()),
        })
    });
    view! {
        <Title text="Sign in · BillionMail" />
        <AuthFrame title="Sign in" subtitle="Sign in to manage your mail server and campaigns.">
            <FormAlert message=form_error />
            <ActionForm action=action attr:class="space-y-5" attr:id="sign-in-form">
                <TextField name="username" label="Username" value=username autocomplete="username" autofocus=true
                    error=Signal::derive(move || error().and_then(|e| e.for_field("username"))) />
                <TextField name="password" label="Password" value=password input_type="password" autocomplete="current-password"
                    error=Signal::derive(move || error().and_then(|e| e.for_field("password"))) />
                <SubmitButton label="Sign in" pending_label="Signing in…" pending=action.pending() />
            </ActionForm>
        </AuthFrame>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn local_paths_are_kept() {
        assert_eq!(safe_next(Some("/admins?page=2")), "/admins?page=2");
    }

    #[test]
    fn foreign_targets_fall_back_to_overview() {
        for bad in ["//evil.example/x", "https://evil.example", "/\\evil.example", "evil", "/x?u=https://e"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
