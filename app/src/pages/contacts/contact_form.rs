//! The contact page's edit form: address, name, tags and custom attributes.

use leptos::prelude::*;
use model::contacts::{AttributeDefinition, Contact, ContactInput};

use super::attribute_inputs::{AttributeInputs, attr_fields, collect_attributes};
use super::tags_input::{TagsInput, tags_with_draft};
use crate::api::ApiError;
use crate::api::contacts::contacts::UpdateContact;
use crate::components::field::{SubmitButton, TextField};
use crate::pages::mail::widgets::form_error;

/// The form, filled from `contact`. The page re-creates it only when the stored contact
/// changes, so unsaved edits survive a list-status change elsewhere on the page.
#[component]
pub fn ContactEditForm(
    contact: Contact,
    definitions: Vec<AttributeDefinition>,
    #[prop(into)] known_tags: Signal<Vec<String>>,
    save: ServerAction<UpdateContact>,
) -> impl IntoView {
    let id = contact.id;
    let email = RwSignal::new(contact.email.clone());
    let name = RwSignal::new(contact.name.clone());
    let tags = RwSignal::new(contact.tags.clone());
    let draft = RwSignal::new(String::new());
    let fields = attr_fields(&definitions, &contact.attributes);
    let stored_fields = StoredValue::new(fields.clone());
    let local_error = RwSignal::new(None::<String>);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e: ApiError| e.for_field(f)));
    let general = move || {
        local_error.get().or_else(|| {
            error
                .get()
                .filter(|e| !["email", "name", "tags"].iter().any(|f| e.for_field(f).is_some()))
                .map(|e| e.to_string())
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let Some(attributes) = stored_fields.with_value(|f| collect_attributes(f.as_slice())) else {
            local_error.set(Some("Some attributes do not fit their type; see the marked fields.".into()));
            return;
        };
        let all_tags = tags_with_draft(tags, draft);
        tags.set(all_tags.clone());
        draft.set(String::new());
        let input =
            ContactInput { email: email.get_untracked(), name: name.get_untracked(), attributes, tags: all_tags };
        save.dispatch(UpdateContact { id, input });
    };
    view! {
        <form id="contact-form" class="space-y-5" on:submit=submit>
            <div class="grid gap-4 sm:grid-cols-2">
                <TextField name="email" label="Email" value=email autocomplete="off" error=field("email") />
                <TextField name="name" label="Name" value=name autocomplete="off" error=field("name") />
            </div>
            <TagsInput id="contact-tags" label="Tags" tags=tags draft=draft suggestions=known_tags error=field("tags") />
            <div class="space-y-3 border-t border-slate-100 pt-4 dark:border-slate-800">
                <h3 class="text-sm font-semibold text-slate-900 dark:text-white">"Attributes"</h3>
                <AttributeInputs fields=fields />
            </div>
            {move || form_error(general())}
            <div class="sm:w-48">
                <SubmitButton label="Save contact" pending_label="Saving…" pending=save.pending() />
            </div>
        </form>
    }
}
