//! The "Add contact" dialog: address, name, tags and the lists to subscribe it to.

use leptos::prelude::*;
use model::contacts::ContactInput;

use super::controls::{CHECKBOX, HINT, LABEL};
use super::tags_input::{TagsInput, tags_with_draft};
use crate::api::ApiError;
use crate::api::contacts::contacts::CreateContact;
use crate::components::field::{SubmitButton, TextField};
use crate::pages::mail::widgets::form_error;

/// The form; the page opens it in a modal and closes it when `create` succeeds.
#[component]
pub fn AddContactForm(
    create: ServerAction<CreateContact>,
    /// Every list as `(id, name)`.
    #[prop(into)]
    lists: Signal<Vec<(String, String)>>,
    #[prop(into)] known_tags: Signal<Vec<String>>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let tags = RwSignal::new(Vec::<String>::new());
    let draft = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<i64>::new());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e: ApiError| e.for_field(f)));
    let general = move || {
        error
            .get()
            .filter(|e| !["email", "name", "tags"].iter().any(|f| e.for_field(f).is_some()))
            .map(|e| e.to_string())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let all_tags = tags_with_draft(tags, draft);
        tags.set(all_tags.clone());
        draft.set(String::new());
        let input = ContactInput {
            email: email.get_untracked(),
            name: name.get_untracked(),
            attributes: Default::default(),
            tags: all_tags,
        };
        create.dispatch(CreateContact { input, lists: chosen.get_untracked() });
    };
    view! {
        <form id="add-contact-form" class="space-y-4" on:submit=submit>
            <TextField name="new_contact_email" label="Email" value=email autocomplete="off" autofocus=true error=field("email") />
            <TextField name="new_contact_name" label="Name (optional)" value=name autocomplete="off" error=field("name") />
            <TagsInput id="new-contact-tags" label="Tags (optional)" tags=tags draft=draft suggestions=known_tags error=field("tags") />
            <fieldset class="space-y-2">
                <legend class=LABEL>"Subscribe to"</legend>
                <p class=HINT>"Subscribed at once, with you as the consent source: add only people who agreed to hear from you."</p>
                <div class="max-h-48 space-y-1.5 overflow-y-auto" id="new-contact-lists">
                    {move || {
                        let options = lists.get();
                        if options.is_empty() {
                            return view! { <p class=HINT>"No lists yet."</p> }.into_any();
                        }
                        options.into_iter().map(|(value, label)| {
                            let list_id = value.parse::<i64>().unwrap_or_default();
                            view! {
                                <label class="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200">
                                    <input type="checkbox" class=CHECKBOX data-list-id=value
                                        prop:checked=move || chosen.with(|c| c.contains(&list_id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|c| {
                                                c.retain(|x| *x != list_id);
                                                if on {
                                                    c.push(list_id);
                                                }
                                            });
                                        } />
                                    {label}
                                </label>
                            }
                        }).collect_view().into_any()
                    }}
                </div>
            </fieldset>
            {move || form_error(general())}
            <SubmitButton label="Add contact" pending_label="Adding…" pending=create.pending() />
        </form>
    }
}
