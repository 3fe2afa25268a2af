//! First-run set-up: creates the first admin account. Only reachable while none exists.

use leptos::prelude::*;
use leptos_meta::Title;
use model::{check_password, check_username};

use super::auth_frame::{AuthFrame, FormAlert};
use crate::api::ApiError;
use crate::api::auth::CreateFirstAdmin;
use crate::components::field::{SubmitButton, TextField};
use crate::components::password_rules::PasswordRules;

/// Set-up form with live password rules.
#[component]
pub fn SetupPage() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let action = ServerAction::<CreateFirstAdmin>::new();
    let result = action.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            #[cfg(feature = "hydrate")]
            {
                let _ = window().location().set_href("/");
            }
        }
    });
    let server_error = move || result.get().and_then(Result::err);
    let problems = Memo::new(move |_| check_password(&password.get(), &username.get()));
    let username_error = Signal::derive(move || {
        server_error().and_then(|e| e.for_field("username")).or_else(|| {
            let typed = username.get();
            (submitted.get() || !typed.is_empty())
                .then(|| check_username(&typed).err().map(|p| format!("Username {p}.")))
                .flatten()
        })
    });
    let password_error = Signal::derive(move || {
        server_error().and_then(|e| e.for_field("password")).or_else(|| {
            (submitted.get() && !problems.get().is_empty()).then(|| "Choose a stronger password.".to_owned())
        })
    });
    let confirm_error = Signal::derive(move || {
        (!confirm.get().is_empty() || submitted.get())
            .then(|| (confirm.get() != password.get()).then(|| "The passwords do not match.".to_owned()))
            .flatten()
    });
    let form_error = Signal::derive(move || {
        server_error().filter(|e| !matches!(e, ApiError::Invalid { .. })).map(|e| e.to_string())
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let ok = check_username(&username.get_untracked()).is_ok()
            && problems.get_untracked().is_empty()
            && confirm.get_untracked() == password.get_untracked();
        if ok {
            action
                .dispatch(CreateFirstAdmin { username: username.get_untracked(), password: password.get_untracked() });
        }
    };
    view! {
        <Title text="Set up · BillionMail" />
        <AuthFrame title="Welcome to BillionMail" subtitle="Create the first admin account. You will use it to sign in from now on.">
            <FormAlert message=form_error />
            <form class="space-y-5" id="setup-form" method="post" action="/api/setup" novalidate=true on:submit=on_submit>
                <TextField name="username" label="Admin username" value=username autocomplete="username" autofocus=true
                    hint="Lower-case letters, digits, dot, dash or underscore." error=username_error />
                <TextField name="password" label="Password" value=password input_type="password" autocomplete="new-password"
                    error=password_error />
                <PasswordRules problems=problems />
                <TextField name="confirm" label="Repeat password" value=confirm input_type="password" autocomplete="new-password"
                    error=confirm_error />
                <SubmitButton label="Create admin account" pending_label="Creating…" pending=action.pending() />
            </form>
        </AuthFrame>
    }
}
