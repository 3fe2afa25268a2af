//! The contact page's "Privacy" card: the GDPR data export and erasure (with the address
//! typed as confirmation, checked again by the server).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::controls::{HINT, INPUT, LABEL};
use crate::api::contacts::contacts::EraseContact;
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::pages::deliverability::CARD;
use crate::pages::mail::widgets::{SECONDARY, form_error};

/// Classes of the red "Erase" buttons.
const DANGER: &str = "inline-flex items-center justify-center gap-2 rounded-lg bg-rose-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-rose-500 focus:outline-none focus:ring-4 focus:ring-rose-500/30 disabled:opacity-50";

/// Whether what was typed is the contact's address (case and surrounding spaces ignored, as
/// the server does).
pub fn confirms(typed: &str, email: &str) -> bool {
    typed.trim().eq_ignore_ascii_case(email)
}

/// The card and its erase dialog.
#[component]
pub fn PrivacyCard(contact_id: i64, email: String) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let erase = ServerAction::<EraseContact>::new();
    let open = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let email = StoredValue::new(email);
    Effect::new(move |_| {
        if let Some(Ok(())) = erase.value().get() {
            open.set(false);
            toasts.success(format!("{} was erased.", email.get_value()));
            navigate("/contacts", Default::default());
        }
    });
    let error = move || erase.value().get().and_then(Result::err).map(|e| e.to_string());
    let can_erase = move || email.with_value(|e| confirms(&typed.get(), e)) && !erase.pending().get();
    view! {
        <section id="privacy-card" class=CARD>
            <h2 class="text-base font-semibold">"Privacy"</h2>
            <p class=format!("mt-1 {HINT}")>"Answer a data request (GDPR access) or a request to be forgotten (erasure)."</p>
            <div class="mt-4 flex flex-wrap gap-2">
                <a id="download-contact-data" data-testid="download-contact-data" class=SECONDARY download
                    href=format!("/api/contacts/{contact_id}/data.json")>"Download all data (JSON)"</a>
                <button type="button" id="erase-contact" data-testid="erase-contact" class=DANGER
                    on:click=move |_| { erase.clear(); typed.set(String::new()); open.set(true); }>"Erase this contact"</button>
            </div>
        </section>
        <Modal open=open id="erase-dialog" title="Erase this contact?">
            <form id="erase-form" class="space-y-4" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if can_erase() {
                    erase.dispatch(EraseContact { id: contact_id, confirm_email: typed.get_untracked() });
                }
            }>
                <p class="text-sm text-slate-600 dark:text-slate-300">
                    "The contact, its list memberships, its whole timeline and any import-error lines quoting the address are deleted for good. "
                    "The address is kept only where it is already on the suppression list, so it is still never mailed; "
                    "otherwise nothing of it remains. This cannot be undone."
                </p>
                <label class=LABEL>
                    "Type " <code class="rounded bg-slate-100 px-1 font-mono dark:bg-slate-800">{email.get_value()}</code> " to confirm"
                    <input type="text" id="erase-confirm-email" data-testid="erase-confirm-email" autocomplete="off"
                        class=format!("mt-1.5 {INPUT}") bind:value=typed />
                </label>
                {move || form_error(error())}
                <div class="flex justify-end gap-3">
                    <button type="button" class=SECONDARY on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" id="erase-confirm" data-testid="erase-confirm" class=DANGER disabled=move || !can_erase()>
                        {move || if erase.pending().get() { "Erasing…" } else { "Erase for good" }}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::confirms;

    #[test]
    fn erasure_needs_the_exact_address() {
        assert!(confirms(" Ann@Example.com ", "ann@example.com"));
        assert!(!confirms("ann@example.co", "ann@example.com"));
        assert!(!confirms("", "ann@example.com"));
    }
}
