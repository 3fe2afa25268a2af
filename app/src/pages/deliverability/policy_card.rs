//! The policy card of the DNS page: the choices behind the SPF, DMARC, MTA-STS and TLS-RPT
//! records, and the MTA-STS policy file they produce.

use leptos::prelude::*;
use model::deliverability::{DmarcPolicy, DnsPolicy, StsMode};

use super::CARD;
use crate::api::ApiError;
use crate::api::deliverability::SaveDnsPolicy;
use crate::components::field::TextField;
use crate::pages::mail::widgets::{PRIMARY, SelectField, form_error};

/// The policy inputs whose server errors are shown under the input itself.
pub(super) const POLICY_FIELDS: [&str; 5] = ["dmarc_pct", "dmarc_rua", "dmarc_ruf", "spf_includes", "tls_rpt_rua"];

/// Splits a comma- (or space-) separated list as typed into its non-empty entries.
pub(super) fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', ' ', '\n', '\t']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The MTA-STS mode chosen in the select.
pub(super) fn sts_mode(value: &str) -> StsMode {
    match value {
        "none" => StsMode::None,
        "enforce" => StsMode::Enforce,
        _ => StsMode::Testing,
    }
}

/// The choices behind the SPF, DMARC, MTA-STS and TLS-RPT records, and the MTA-STS policy
/// file this server serves for the domain.
#[component]
pub(super) fn PolicyCard(
    domain: String,
    policy: DnsPolicy,
    mta_sts_policy: Option<String>,
    save: ServerAction<SaveDnsPolicy>,
) -> impl IntoView {
    let dmarc = RwSignal::new(policy.dmarc_policy.as_str().to_owned());
    let pct = RwSignal::new(policy.dmarc_pct.to_string());
    let rua = RwSignal::new(policy.dmarc_rua.join(", "));
    let ruf = RwSignal::new(policy.dmarc_ruf.join(", "));
    let includes = RwSignal::new(policy.spf_includes.join(", "));
    let sts = RwSignal::new(policy.mta_sts_mode.as_str().to_owned());
    let rpt = RwSignal::new(policy.tls_rpt_rua.join(", "));
    let sts_id = policy.mta_sts_id;
    let local_error = RwSignal::new(None::<ApiError>);
    let error = Signal::derive(move || local_error.get().or_else(|| save.value().get().and_then(Result::err)));
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    let general = move || error.get().filter(|e| POLICY_FIELDS.iter().all(|f| e.for_field(f).is_none()));
    let dmarc_options = Signal::derive(|| {
        vec![
            ("none".to_owned(), "none: only report".to_owned()),
            ("quarantine".to_owned(), "quarantine: to spam".to_owned()),
            ("reject".to_owned(), "reject: refuse".to_owned()),
        ]
    });
    let sts_options = Signal::derive(|| {
        vec![
            ("none".to_owned(), "none: no policy".to_owned()),
            ("testing".to_owned(), "testing: report failures".to_owned()),
            ("enforce".to_owned(), "enforce: TLS required".to_owned()),
        ]
    });
    let url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let Ok(dmarc_pct) = pct.get_untracked().trim().parse::<u8>() else {
            local_error.set(Some(ApiError::invalid("dmarc_pct", "Enter a whole number from 0 to 100.")));
            return;
        };
        let policy = DnsPolicy {
            dmarc_policy: dmarc.get_untracked().parse().unwrap_or(DmarcPolicy::Quarantine),
            dmarc_pct,
            dmarc_rua: split_list(&rua.get_untracked()),
            dmarc_ruf: split_list(&ruf.get_untracked()),
            spf_includes: split_list(&includes.get_untracked()),
            mta_sts_mode: sts_mode(&sts.get_untracked()),
            tls_rpt_rua: split_list(&rpt.get_untracked()),
            mta_sts_id: sts_id.clone(),
        };
        save.dispatch(SaveDnsPolicy { domain: domain.clone(), policy });
    };
    let policy_file = match mta_sts_policy {
        Some(text) => view! {
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                "Served by this server at "
                <a id="mta-sts-url" class="break-all font-mono text-indigo-600 hover:underline dark:text-indigo-300" href=url.clone() target="_blank" rel="noopener noreferrer">{url.clone()}</a>
                " once the MTA-STS host record above points here."
            </p>
            <pre id="mta-sts-policy" class="mt-2 overflow-x-auto rounded-lg bg-slate-100 px-3 py-2 font-mono text-xs dark:bg-slate-800">{text}</pre>
        }
        .into_any(),
        None => view! {
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"No policy file is served while the MTA-STS mode is none."</p>
        }
        .into_any(),
    };
    view! {
        <section id="dns-policy" class=CARD>
            <h2 class="text-base font-semibold">"Policy"</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"What the SPF, DMARC, MTA-STS and TLS-RPT records above say. Saving changes the values to publish."</p>
            <form id="policy-form" class="mt-4 space-y-4" on:submit=submit>
                <div class="grid gap-4 sm:grid-cols-2">
                    <SelectField name="dmarc_policy" label="DMARC policy" value=dmarc options=dmarc_options />
                    <TextField name="dmarc_pct" label="DMARC applies to (%)" input_type="number" value=pct
                        hint="Share of failing mail the policy applies to; 100 for all." error=field("dmarc_pct") />
                    <TextField name="dmarc_rua" label="Aggregate report addresses" value=rua autocomplete="off"
                        hint="Comma-separated. Receivers send daily summaries here." error=field("dmarc_rua") />
                    <TextField name="dmarc_ruf" label="Failure report addresses" value=ruf autocomplete="off"
                        hint="Comma-separated. Few receivers send these." error=field("dmarc_ruf") />
                    <TextField name="spf_includes" label="Outside relays (SPF include)" value=includes autocomplete="off"
                        hint="Comma-separated domains of other services that send as this domain, e.g. _spf.example.net." error=field("spf_includes") />
                    <SelectField name="mta_sts_mode" label="MTA-STS mode" value=sts options=sts_options />
                    <TextField name="tls_rpt_rua" label="TLS-RPT report addresses" value=rpt autocomplete="off"
                        hint="Comma-separated. Empty: postmaster of this domain." error=field("tls_rpt_rua") />
                </div>
                {move || form_error(general().map(|e| e.to_string()))}
                <button type="submit" id="save-policy" class=PRIMARY disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save policy" }}
                </button>
            </form>
            <div class="mt-6 border-t border-slate-100 pt-4 dark:border-slate-800">
                <h3 class="text-sm font-semibold">"MTA-STS policy file"</h3>
                {policy_file}
            </div>
        </section>
    }
}
