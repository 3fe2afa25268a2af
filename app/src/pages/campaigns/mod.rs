//! Campaigns: the list, the editor of a draft (content, sender, audience, tracking, speed),
//! the review step (preflight, preview, test send, send now or schedule) and the live report
//! of a campaign that has started. `/campaigns/:id` shows the editor while the campaign can
//! still change and the report once it has started.

pub mod audience;
pub mod delivery_log;
pub mod editor;
pub mod list;
pub mod report;
pub mod report_charts;
pub mod review;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::campaigns::get_campaign;
pub use editor::CampaignEditor;
pub use list::CampaignsPage;
pub use report::CampaignReport;

/// `/campaigns/new`: an empty editor (the draft is created on the first save).
#[component]
pub fn NewCampaignPage() -> impl IntoView {
    view! { <CampaignEditor campaign=None /> }
}

/// `/campaigns/:id`: the editor for a draft or scheduled campaign, the report otherwise.
#[component]
pub fn CampaignPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let campaign = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_campaign(id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="p-6 text-sm text-slate-500 dark:text-slate-400">"Loading…"</p> }>
            {move || {
                campaign
                    .get()
                    .map(|result| match result {
                        Ok(Some(c)) if c.status.is_editable() => view! { <CampaignEditor campaign=Some(c) /> }.into_any(),
                        Ok(Some(c)) => view! { <CampaignReport campaign=c /> }.into_any(),
                        Ok(None) => view! { <NotFound /> }.into_any(),
                        Err(e) => {
                            let message = e.to_string();
                            view! {
                                <div class="m-6 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
                                    {message}
                                    " "
                                    <a href="/campaigns" class="font-medium underline">"Back to campaigns"</a>
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <div class="m-6 text-sm text-slate-600 dark:text-slate-300">
            "There is no such campaign. "
            <a href="/campaigns" class="font-medium text-blue-600 underline dark:text-blue-400">"Back to campaigns"</a>
        </div>
    }
}
