//! Toasts: short-lived result messages in the corner, and the one place where server
//! errors become something the user reads.

#[cfg(feature = "hydrate")]
use std::time::Duration;

use leptos::prelude::*;

use crate::api::ApiError;

/// Kind of toast, which sets its colour and icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

/// One message on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub message: String,
}

/// App-wide toast queue; get it with [`use_toasts`].
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

#[cfg(feature = "hydrate")]
/// How long a toast stays before it dismisses itself.
const TOAST_LIFETIME: Duration = Duration::from_secs(6);

impl Toasts {
    /// Shows a green confirmation.
    pub fn success(&self, message: impl Into<String>) {
        self.push(ToastKind::Success, message.into());
    }

    /// Shows a red error.
    pub fn error(&self, message: impl Into<String>) {
        self.push(ToastKind::Error, message.into());
    }

    /// Shows a server error; an ended session sends the user to the sign-in page instead.
    pub fn report(&self, error: &ApiError) {
        if matches!(error, ApiError::Unauthorized) {
            #[cfg(feature = "hydrate")]
            {
                let _ = window().location().set_href("/sign-in");
            }
            return;
        }
        self.error(error.to_string());
    }

    /// Removes a toast (close button or timeout).
    pub fn dismiss(&self, id: u64) {
        self.items.update(|items| items.retain(|t| t.id != id));
    }

    fn push(&self, kind: ToastKind, message: String) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items.update(|items| items.push(Toast { id, kind, message }));
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            set_timeout(move || this.dismiss(id), TOAST_LIFETIME);
        }
    }
}

/// Creates the toast queue for the whole app; call once at the root.
pub fn provide_toasts() -> Toasts {
    let toasts = Toasts { items: RwSignal::new(Vec::new()), next_id: StoredValue::new(1) };
    provide_context(toasts);
    toasts
}

/// The app's toast queue (falls back to a detached one outside the app root).
pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(provide_toasts)
}

/// Where toasts appear: bottom-right, newest last, announced to screen readers.
#[component]
pub fn ToastViewport() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div
            class="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-end gap-2 p-4 sm:p-6"
            aria-live="polite"
            role="status"
        >
            <For
                each=move || toasts.items.get()
                key=|t| t.id
                children=move |toast: Toast| {
                    let id = toast.id;
                    let (tone, icon) = match toast.kind {
                        ToastKind::Success => ("border-emerald-500/40 bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100", "✓"),
                        ToastKind::Error => ("border-rose-500/40 bg-rose-50 text-rose-900 dark:bg-rose-950 dark:text-rose-100", "!"),
                    };
                    view! {
                        <div
                            class=format!("toast pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg {tone}")
                            data-kind=match toast.kind { ToastKind::Success => "success", ToastKind::Error => "error" }
                        >
                            <span class="mt-0.5 font-bold" aria-hidden="true">{icon}</span>
                            <p class="flex-1">{toast.message.clone()}</p>
                            <button
                                type="button"
                                class="rounded px-1 opacity-60 hover:opacity-100"
                                aria-label="Dismiss"
                                on:click=move |_| toasts.dismiss(id)
                            >
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}
