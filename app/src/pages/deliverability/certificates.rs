//! TLS certificates: which host has which certificate, from where, until when, and what went
//! wrong with the last attempt; plus uploading one's own certificate for a host.
//!
//! Days left are not shown: they would need the browser's clock, and the page shows only
//! times the server sent.

use leptos::prelude::*;
use leptos_meta::Title;
use model::deliverability::{CertificateStatus, CustomCertificate, RENEW_BEFORE_DAYS};

use super::{
    AMBER, CARD, GREEN, GREY, Head, PILL, RED, TBODY, TD, empty_line, framed_table, load_error, skeleton, time,
};
use crate::api::deliverability::{UploadCertificate, tls_overview};
use crate::components::field::TextField;
use crate::components::toast::use_toasts;
use crate::pages::mail::widgets::{PRIMARY, form_error};

/// Label above a textarea (TextField's look, for multi-line input).
const LABEL: &str = "block text-sm font-medium text-slate-700 dark:text-slate-200";
/// A PEM textarea.
const TEXTAREA: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-xs text-slate-900 shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100";
/// The upload inputs whose server errors are shown under the input itself.
const UPLOAD_FIELDS: [&str; 4] = ["host", "chain_pem", "key_pem", "certificate"];

/// The Certificates page: the table, how automatic TLS is set up, and the upload form.
#[component]
pub fn CertificatesPage() -> impl IntoView {
    let toasts = use_toasts();
    let upload = ServerAction::<UploadCertificate>::new();
    let overview = Resource::new(move || upload.version().get(), |_| tls_overview());
    let host = RwSignal::new(String::new());
    let chain = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = upload.value().get() {
            toasts.success(format!("Certificate for {} installed.", host.get_untracked().trim()));
            chain.set(String::new());
            key.set(String::new());
        }
    });
    let error = move || upload.value().get().and_then(Result::err);
    let field = move |f: &'static str| Signal::derive(move || error().and_then(|e| e.for_field(f)));
    // A certificate that does not parse or does not match its key is reported on `certificate`.
    let chain_error =
        Signal::derive(move || error().and_then(|e| e.for_field("chain_pem").or_else(|| e.for_field("certificate"))));
    let key_error = field("key_pem");
    let general = move || error().filter(|e| UPLOAD_FIELDS.iter().all(|f| e.for_field(f).is_none()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        upload.dispatch(UploadCertificate {
            certificate: CustomCertificate {
                host: host.get_untracked().trim().to_owned(),
                chain_pem: chain.get_untracked(),
                key_pem: key.get_untracked(),
            },
        });
    };
    view! {
        <Title text="Certificates · BillionMail" />
        <div class="space-y-6">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Certificates"</h1>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"TLS certificates for the admin (also tracking links and MTA-STS) and for mail (Postfix, Dovecot). Times are UTC."</p>
            </div>
            <Transition fallback=skeleton>
                {move || overview.get().map(|r| match r {
                    Err(e) => load_error(&e),
                    Ok(o) => view! {
                        <div class="space-y-6">
                            {acme_notice(o.acme_directory, o.export_dir)}
                            {certificates_table(o.certificates)}
                        </div>
                    }
                    .into_any(),
                })}
            </Transition>
            <section id="upload-certificate" class=CARD>
                <h2 class="text-base font-semibold">"Upload certificate"</h2>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Use your own certificate for a host instead of an automatic one. It is not renewed automatically: upload the next one before this one expires."</p>
                <form id="upload-form" class="mt-4 space-y-4" on:submit=submit>
                    <TextField name="host" label="Host" value=host autocomplete="off" hint="For example mail.example.com" error=field("host") />
                    <div class="space-y-1.5">
                        <label for="chain_pem" class=LABEL>"Certificate chain (PEM)"</label>
                        <textarea id="chain_pem" name="chain_pem" rows="6" spellcheck="false" autocomplete="off" bind:value=chain
                            placeholder="-----BEGIN CERTIFICATE-----" class=TEXTAREA></textarea>
                        <p class="text-xs text-slate-500 dark:text-slate-400">"The host's certificate first, then the intermediates."</p>
                        <p class="field-error text-xs font-medium text-rose-600 dark:text-rose-400" class:hidden=move || chain_error.get().is_none()>
                            {move || chain_error.get().unwrap_or_default()}
                        </p>
                    </div>
                    <div class="space-y-1.5">
                        <label for="key_pem" class=LABEL>"Private key (PEM)"</label>
                        <textarea id="key_pem" name="key_pem" rows="6" spellcheck="false" autocomplete="off" bind:value=key
                            placeholder="-----BEGIN PRIVATE KEY-----" class=TEXTAREA></textarea>
                        <p class="field-error text-xs font-medium text-rose-600 dark:text-rose-400" class:hidden=move || key_error.get().is_none()>
                            {move || key_error.get().unwrap_or_default()}
                        </p>
                    </div>
                    {move || form_error(general().map(|e| e.to_string()))}
                    <button type="submit" id="upload-certificate-button" class=PRIMARY disabled=move || upload.pending().get()>
                        {move || if upload.pending().get() { "Installing…" } else { "Install certificate" }}
                    </button>
                </form>
            </section>
        </div>
    }
}

/// Where certificates come from: the ACME directory and export folder, or how to turn
/// automatic TLS on.
fn acme_notice(acme_directory: Option<String>, export_dir: String) -> AnyView {
    match acme_directory {
        None => view! {
            <div id="acme-off" class="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-100">
                <p>
                    "Automatic TLS is off: set "
                    <code class="rounded bg-amber-100 px-1 font-mono dark:bg-amber-900/60">"BM_ACME_DIRECTORY"</code>
                    " (for example https://acme-v02.api.letsencrypt.org/directory) and restart to get and renew certificates automatically, or upload your own below."
                </p>
                <p class="mt-1">{format!("Mail certificates are written to {export_dir}.")}</p>
            </div>
        }
        .into_any(),
        Some(directory) => view! {
            <p id="acme-on" class="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300">
                {format!(
                    "Certificates from {directory}, renewed {RENEW_BEFORE_DAYS} days before expiry; mail certificates are written to {export_dir}."
                )}
            </p>
        }
        .into_any(),
    }
}

/// "Admin & tracking" / "Mail (Postfix, Dovecot)".
fn purpose_label(purpose: &str) -> String {
    match purpose {
        "admin" => "Admin & tracking".to_owned(),
        "mail" => "Mail (Postfix, Dovecot)".to_owned(),
        other => other.to_owned(),
    }
}

/// "ACME" / "Custom".
fn source_label(source: &str) -> String {
    match source {
        "acme" => "ACME".to_owned(),
        "custom" => "Custom".to_owned(),
        other => other.to_owned(),
    }
}

/// Pill for a certificate's state.
fn certificate_badge(status: &str) -> AnyView {
    let (tone, label) = match status {
        "valid" => (GREEN, "Valid".to_owned()),
        "pending" => (AMBER, "Pending".to_owned()),
        "failed" => (RED, "Failed".to_owned()),
        other => (GREY, other.to_owned()),
    };
    view! { <span class=format!("status-badge {PILL} {tone}") data-status=status.to_owned()>{label}</span> }.into_any()
}

/// One row per host and purpose.
fn certificates_table(certificates: Vec<CertificateStatus>) -> AnyView {
    if certificates.is_empty() {
        return empty_line(
            "No certificates yet. With automatic TLS on, the admin and mail hosts get theirs on the next run; or upload one below.",
        );
    }
    let rows = certificates
        .into_iter()
        .map(|c| {
            let last_error = c.last_error.clone().map(|e| {
                view! { <span class="certificate-error block max-w-xs break-words text-xs text-rose-600 dark:text-rose-400">{e}</span> }
            });
            view! {
                <tr data-host=c.host.clone() data-purpose=c.purpose.clone()>
                    <td class=format!("{TD} font-mono text-xs")>{c.host.clone()}</td>
                    <td class=format!("{TD} whitespace-nowrap")>{purpose_label(&c.purpose)}</td>
                    <td class=TD>{source_label(&c.source)}</td>
                    <td class=TD>{certificate_badge(&c.status)}</td>
                    <td class=format!("{TD} text-xs")>{c.issuer.clone().unwrap_or_else(|| "—".to_owned())}</td>
                    <td class=format!("{TD} whitespace-nowrap")>{time(c.not_after)}</td>
                    <td class=format!("{TD} whitespace-nowrap")>{time(c.last_attempt)}</td>
                    <td class=TD>{last_error}</td>
                </tr>
            }
        })
        .collect_view();
    framed_table(
        "certificates",
        "TLS certificates",
        &[
            ("Host", Head::Left),
            ("Purpose", Head::Left),
            ("Source", Head::Left),
            ("Status", Head::Left),
            ("Issuer", Head::Left),
            ("Expires", Head::Left),
            ("Last attempt", Head::Left),
            ("Last error", Head::Left),
        ],
        view! { <tbody class=TBODY>{rows}</tbody> },
    )
}
