//! One contact's page (`/contacts/:id`): who it is and whether it is suppressed, the edit
//! form, its lists with consent, its timeline, and the GDPR export and erasure.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::contacts::{AttributeDefinition, Contact, ContactDetail, Suppression};

use super::contact_form::ContactEditForm;
use super::controls::{HINT, pill, use_known_tags, use_list_options};
use super::memberships::MembershipsCard;
use super::privacy::PrivacyCard;
use super::timeline::TimelineCard;
use crate::api::ApiError;
use crate::api::contacts::contacts::{RemoveMembership, SetMembership, UpdateContact, contact_detail, list_attributes};
use crate::components::toast::use_toasts;
use crate::pages::deliverability::{CARD, RED, load_error, skeleton, time};
use crate::pages::format;

/// What the edit form is built from.
type FormItem = (Contact, Vec<AttributeDefinition>);

/// The contact, or "not found" for an id that is not a number.
async fn load_contact(id: Option<i64>) -> Result<ContactDetail, ApiError> {
    match id {
        Some(id) => contact_detail(id).await,
        None => Err(ApiError::NotFound("There is no such contact.".into())),
    }
}

/// The page.
#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())));
    let toasts = use_toasts();
    let update = ServerAction::<UpdateContact>::new();
    let set_status = ServerAction::<SetMembership>::new();
    let remove = ServerAction::<RemoveMembership>::new();
    let detail = Resource::new(
        move || (id.get(), update.version().get(), set_status.version().get(), remove.version().get()),
        |(id, ..)| load_contact(id),
    );
    let definitions = Resource::new(|| (), |_| list_attributes());
    let (_, list_opts) = use_list_options();
    let (tag_counts, known_tags) = use_known_tags();
    Effect::new(move |_| {
        if let Some(Ok(c)) = update.value().get() {
            toasts.success(format!("{} saved.", c.email));
            tag_counts.refetch();
        }
    });
    Effect::new(move |_| match set_status.value().get() {
        Some(Ok(())) => toasts.success("List status saved."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => toasts.success("Removed from the list."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let header = move || {
        detail.get().map(|r| match r {
            Err(e) => load_error(&e),
            Ok(d) => contact_header(&d),
        })
    };
    // Keyed on the stored version: a list-status change elsewhere on the page reloads the
    // detail but keeps what is being typed in the form.
    let form_item = move || -> Option<FormItem> {
        let d = detail.get().and_then(Result::ok)?;
        let defs = definitions.get()?.unwrap_or_default();
        Some((d.contact, defs))
    };
    let lists_card = move || {
        detail.get().and_then(Result::ok).map(|d| {
            view! { <MembershipsCard contact_id=d.contact.id memberships=d.memberships lists=list_opts set_status=set_status remove=remove /> }
        })
    };
    let side = move || {
        detail.get().and_then(Result::ok).map(|d| {
            view! {
                <TimelineCard entries=d.timeline />
                <PrivacyCard contact_id=d.contact.id email=d.contact.email />
            }
        })
    };
    view! {
        <Title text="Contact · BillionMail" />
        <div class="space-y-6">
            <a href="/contacts" class="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-300">"← Contacts"</a>
            <Suspense fallback=skeleton>{header}</Suspense>
            <div class="grid gap-6 xl:grid-cols-3">
                <div class="space-y-6 xl:col-span-2">
                    <section id="contact-details" class=CARD>
                        <h2 class="text-base font-semibold">"Details"</h2>
                        <div class="mt-4">
                            <Suspense fallback=|| ()>
                                <For each=form_item key=|item: &FormItem| (item.0.id, item.0.updated_at.timestamp_micros())
                                    children=move |(contact, defs): FormItem| view! {
                                        <ContactEditForm contact=contact definitions=defs known_tags=known_tags save=update />
                                    } />
                            </Suspense>
                        </div>
                    </section>
                    <Suspense fallback=|| ()>{lists_card}</Suspense>
                </div>
                <div class="space-y-6">
                    <Suspense fallback=|| ()>{side}</Suspense>
                </div>
            </div>
        </div>
    }
}

/// Address, name, dates and suppressions.
fn contact_header(d: &ContactDetail) -> AnyView {
    let c = &d.contact;
    let activity =
        c.last_activity_at.map(|t| format!("{} UTC", format::timestamp(&t))).unwrap_or_else(|| "none yet".into());
    view! {
        <div class="flex flex-wrap items-start justify-between gap-4" id="contact-header">
            <div class="min-w-0">
                <h1 class="break-all text-2xl font-semibold tracking-tight" data-testid="contact-email">{c.email.clone()}</h1>
                {(!c.name.is_empty()).then(|| view! { <p class="mt-0.5 text-slate-600 dark:text-slate-300">{c.name.clone()}</p> })}
                <p class=format!("mt-1 {HINT}")>{format!("Added {} UTC · last activity {activity}", format::timestamp(&c.created_at))}</p>
            </div>
            <div class="flex flex-wrap gap-2" id="contact-suppressions">
                {d.suppressions.iter().map(suppression_badge).collect_view()}
            </div>
        </div>
    }
    .into_any()
}

/// "Suppressed: Hard bounce (all lists)", with the note and date as a tooltip.
fn suppression_badge(s: &Suppression) -> AnyView {
    let scope = s.list_name.clone().map(|l| format!("on {l}")).unwrap_or_else(|| "all lists".to_owned());
    let mut title = format!("Since {} UTC", time(Some(s.created_at)));
    if !s.note.is_empty() {
        title.push_str(": ");
        title.push_str(&s.note);
    }
    view! {
        <span class="suppressed-badge" data-reason=s.reason.as_str() title=title>
            {pill(RED, format!("Suppressed: {} ({scope})", s.reason.label()))}
        </span>
    }
    .into_any()
}
