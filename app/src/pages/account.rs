//! Your account: change your own password.

use leptos::prelude::*;
use leptos_meta::Title;
use model::check_password;

use super::auth_frame::FormAlert;
use crate::api::ApiError;
use crate::api::auth::{ChangePassword, current_user};
use crate::components::field::{SubmitButton, TextField};
use crate::components::password_rules::PasswordRules;
use crate::components::toast::use_toasts;

/// Current password + new password (with live rules) + repeat.
#[component]
pub fn AccountPage() -> impl IntoView {
    let toasts = use_toasts();
    let me = Resource::new(|| (), |_| current_user());
    let username = move || me.get().and_then(Result::ok).flatten().map(|u| u.username).unwrap_or_default();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let action = ServerAction::<ChangePassword>::new();
    let problems = Memo::new(move |_| check_password(&new.get(), &username()));
    Effect::new(move |_| match action.value().get() {
        Some(Ok(())) => {
            toasts.success("Password changed. Other browsers were signed out.");
            for s in [current, new, repeat] {
                s.set(String::new());
            }
            submitted.set(false);
        }
        Some(Err(ApiError::Invalid { .. })) | None => {}
        Some(Err(e)) => toasts.report(&e),
    });
    let server_error = move || action.value().get().and_then(Result::err);
    let current_error = Signal::derive(move || server_error().and_then(|e| e.for_field("current_password")));
    let new_error = Signal::derive(move || {
        server_error().and_then(|e| e.for_field("password")).or_else(|| {
            (submitted.get() && !problems.get().is_empty()).then(|| "Choose a stronger password.".to_owned())
        })
    });
    let repeat_error = Signal::derive(move || {
        ((submitted.get() || !repeat.get().is_empty()) && repeat.get() != new.get())
            .then(|| "The passwords do not match.".to_owned())
    });
    let form_error = Signal::derive(move || {
        server_error().filter(|e| !matches!(e, ApiError::Invalid { .. })).map(|e| e.to_string())
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if problems.get_untracked().is_empty() && repeat.get_untracked() == new.get_untracked() {
            action.dispatch(ChangePassword {
                current_password: current.get_untracked(),
                new_password: new.get_untracked(),
            });
        }
    };
    view! {
        <Title text="Your account · BillionMail" />
        <div class="space-y-6">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Your account"</h1>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                    <span>"Signed in as "</span>
                    <Transition fallback=|| view! { <span>"…"</span> }><span class="font-medium">{username}</span></Transition>
                    <span>". Changing the password signs you out on every other browser."</span>
                </p>
            </div>
            <section class="max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <h2 class="mb-4 text-base font-semibold">"Change password"</h2>
                <FormAlert message=form_error />
                <form id="change-password-form" class="space-y-5" novalidate=true on:submit=on_submit>
                    <TextField name="current_password" label="Current password" value=current input_type="password"
                        autocomplete="current-password" error=current_error />
                    <TextField name="new_password" label="New password" value=new input_type="password"
                        autocomplete="new-password" error=new_error />
                    <PasswordRules problems=problems />
                    <TextField name="repeat_password" label="Repeat new password" value=repeat input_type="password"
                        autocomplete="new-password" error=repeat_error />
                    <SubmitButton label="Change password" pending_label="Changing…" pending=action.pending() />
                </form>
            </section>
        </div>
    }
}
