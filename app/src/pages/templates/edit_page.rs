//! `/templates/:id`: loads the template and opens the editor its kind belongs to (the
//! drag-and-drop editor for documents, the code editor for pasted HTML).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::templates::TemplateKind;

use super::editor::DocumentEditor;
use super::html_editor::HtmlEditor;
use crate::api::templates::get_template;
use crate::pages::deliverability::{load_error, skeleton};

/// The editor page of the template in the URL.
#[component]
pub fn TemplateEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())));
    let template = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_template(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Transition fallback=skeleton>
            {move || template.get().map(|loaded| match loaded {
                Err(e) => load_error(&e),
                Ok(None) => view! {
                    <p class="text-sm text-slate-600 dark:text-slate-300">"There is no such template."</p>
                }.into_any(),
                Ok(Some(t)) => {
                    let title = format!("{} · Templates", t.name);
                    let editor = match t.kind {
                        TemplateKind::Document => view! { <DocumentEditor template=t /> }.into_any(),
                        TemplateKind::Html => view! { <HtmlEditor template=t /> }.into_any(),
                    };
                    view! { <Title text=title /> {editor} }.into_any()
                }
            })}
        </Transition>
    }
}
