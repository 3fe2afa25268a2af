//! The segment editor (`/segments/new`, `/segments/:id`): name, description, the builder,
//! and the live count beside it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::contacts::{SavedSegment, SegmentFilter, SegmentInput};

use super::live_count::LiveCount;
use crate::api::contacts::segments::{CreateSegment, UpdateSegment, get_segment};
use crate::components::field::TextField;
use crate::components::segment_builder::{SegmentBuilder, tree_problem};
use crate::components::toast::use_toasts;
use crate::pages::deliverability::{CARD, load_error, skeleton};
use crate::pages::mail::widgets::{PRIMARY, SECONDARY, form_error};

/// Creates a segment (no id, or `new`) or edits the one in the URL.
#[component]
pub fn SegmentEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())));
    move || match id.get() {
        None => view! { <SegmentForm initial=None /> }.into_any(),
        Some(id) => view! { <LoadedSegment id=id /> }.into_any(),
    }
}

/// Loads segment `id`, then shows its form.
#[component]
fn LoadedSegment(id: i64) -> impl IntoView {
    let segment = Resource::new(move || id, get_segment);
    view! {
        <Transition fallback=skeleton>
            {move || segment.get().map(|r| match r {
                Err(e) => load_error(&e),
                Ok(s) => view! { <SegmentForm initial=Some(s) /> }.into_any(),
            })}
        </Transition>
    }
}

/// The form; `initial` is the saved segment being edited, `None` for a new one.
#[component]
fn SegmentForm(initial: Option<SavedSegment>) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let editing = initial.as_ref().map(|s| s.id);
    let name = RwSignal::new(initial.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let description = RwSignal::new(initial.as_ref().map(|s| s.description.clone()).unwrap_or_default());
    let filter = RwSignal::new(initial.map(|s| s.filter).unwrap_or_else(|| SegmentFilter::And(Vec::new())));
    let create = ServerAction::<CreateSegment>::new();
    let update = ServerAction::<UpdateSegment>::new();
    let local_error = RwSignal::new(None::<String>);
    let server_error = Signal::derive(move || {
        if editing.is_some() {
            update.value().get().and_then(Result::err)
        } else {
            create.value().get().and_then(Result::err)
        }
    });
    let name_error = Signal::derive(move || server_error.get().and_then(|e| e.for_field("name")));
    let general_error = move || {
        local_error
            .get()
            .or_else(|| server_error.get().filter(|e| e.for_field("name").is_none()).map(|e| e.to_string()))
    };
    Effect::new(move |_| {
        if let Some(Ok(s)) = create.value().get() {
            toasts.success(format!("Segment {} created.", s.name));
            navigate(&format!("/segments/{}", s.id), Default::default());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(s)) = update.value().get() {
            toasts.success(format!("Segment {} saved.", s.name));
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let input = SegmentInput {
            name: name.get_untracked().trim().to_owned(),
            description: description.get_untracked().trim().to_owned(),
            filter: filter.get_untracked(),
        };
        if input.name.is_empty() {
            local_error.set(Some("Give the segment a name.".to_owned()));
            return;
        }
        if let Some(problem) = tree_problem(&input.filter) {
            local_error.set(Some(problem));
            return;
        }
        match editing {
            Some(id) => {
                update.dispatch(UpdateSegment { id, input });
            }
            None => {
                create.dispatch(CreateSegment { input });
            }
        }
    };
    let pending = move || create.pending().get() || update.pending().get();
    let heading = if editing.is_some() { "Edit segment" } else { "New segment" };
    let title = format!("{heading} · BillionMail");
    let contacts_link = editing.map(|id| {
        view! {
            <a id="segment-contacts" href=format!("/contacts?segment={id}") class=format!("{SECONDARY} w-full")>"View contacts"</a>
        }
    });
    view! {
        <Title text=title />
        <div class="space-y-6">
            <div>
                <a href="/segments" class="text-sm text-indigo-600 hover:underline dark:text-indigo-300">"← Segments"</a>
                <h1 class="mt-2 text-2xl font-semibold tracking-tight">{heading}</h1>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                    "Combine conditions with ALL (and) or ANY (or), nest groups, and put NOT before any of them. The count on the right follows every change."
                </p>
            </div>
            <form id="segment-form" class="grid items-start gap-6 lg:grid-cols-3" on:submit=save>
                <div class="space-y-6 lg:col-span-2">
                    <section class=format!("{CARD} grid gap-4 sm:grid-cols-2")>
                        <TextField name="segment-name" label="Name" value=name autocomplete="off" error=name_error />
                        <TextField name="segment-description" label="Description (optional)" value=description
                            autocomplete="off" error=Signal::derive(|| None::<String>) />
                    </section>
                    <section class=CARD>
                        <h2 class="mb-4 text-base font-semibold">"Conditions"</h2>
                        <SegmentBuilder filter=filter />
                    </section>
                </div>
                <aside class="space-y-4 lg:sticky lg:top-6">
                    <LiveCount filter=filter />
                    {move || form_error(general_error())}
                    <button type="submit" id="save-segment" data-testid="save-segment" class=format!("{PRIMARY} w-full")
                        disabled=pending>
                        {move || if pending() { "Saving…" } else { "Save segment" }}
                    </button>
                    {contacts_link}
                </aside>
            </form>
        </div>
    }
}
