//! The Lists page (`/lists`): every list with its opt-in, visibility and member counts,
//! create/edit/delete, and the custom attribute definitions below.

use leptos::prelude::*;
use leptos_meta::Title;
use model::contacts::{ContactList, OptIn, Visibility};

use super::attributes::AttributesCard;
use super::controls::pill;
use super::list_form::{ListForm, ListFormState};
use super::thousands;
use crate::api::contacts::lists::{CreateList, DeleteList, UpdateList, list_lists};
use crate::components::confirm::ConfirmDialog;
use crate::components::icons;
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::pages::deliverability::{AMBER, GREY, Head, INDIGO, SLATE, TBODY, TD, framed_table, load_error, skeleton};
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, ROW_DANGER};

/// The page.
#[component]
pub fn ListsPage() -> impl IntoView {
    let toasts = use_toasts();
    let create = ServerAction::<CreateList>::new();
    let update = ServerAction::<UpdateList>::new();
    let delete = ServerAction::<DeleteList>::new();
    let lists = Resource::new(
        move || (create.version().get(), update.version().get(), delete.version().get()),
        |_| list_lists(),
    );
    let form = ListFormState::new();
    let form_open = RwSignal::new(false);
    let error = Signal::derive(move || {
        if form.editing.get().is_some() {
            update.value().get().and_then(Result::err)
        } else {
            create.value().get().and_then(Result::err)
        }
    });
    for (verb, value) in [("created", create.value()), ("saved", update.value())] {
        Effect::new(move |_| {
            if let Some(Ok(l)) = value.get() {
                toasts.success(format!("List {} {verb}.", l.name));
                form_open.set(false);
            }
        });
    }
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("List deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let open_new = Callback::new(move |_: ()| {
        form.reset();
        create.clear();
        form_open.set(true);
    });
    let on_edit = Callback::new(move |l: ContactList| {
        form.load(&l);
        update.clear();
        form_open.set(true);
    });
    let pending_delete = RwSignal::new(None::<ContactList>);
    let delete_open = RwSignal::new(false);
    let on_delete = Callback::new(move |l: ContactList| {
        pending_delete.set(Some(l));
        delete_open.set(true);
    });
    let submit = Callback::new(move |_: ()| {
        let input = form.input();
        match form.editing.get_untracked() {
            Some(id) => {
                update.dispatch(UpdateList { id, input });
            }
            None => {
                create.dispatch(CreateList { input });
            }
        }
    });
    let table = move || {
        lists.get().map(|r| match r {
            Err(e) => load_error(&e),
            Ok(rows) if rows.is_empty() => no_lists(open_new),
            Ok(rows) => lists_table(rows, on_edit, on_delete),
        })
    };
    view! {
        <Title text="Lists · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Lists"</h1>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Each list records who agreed to receive what, and how. Campaigns go to subscribed members."</p>
                </div>
                <button type="button" id="add-list" data-testid="add-list" class=PRIMARY on:click=move |_| open_new.run(())>"New list"</button>
            </div>
            <Transition fallback=skeleton>{table}</Transition>
            <AttributesCard />
        </div>
        <Modal open=form_open id="list-dialog" title=Signal::derive(move || if form.editing.get().is_some() { "Edit list".to_owned() } else { "New list".to_owned() })>
            <ListForm state=form error=error pending=Signal::derive(move || create.pending().get() || update.pending().get()) on_submit=submit />
        </Modal>
        <ConfirmDialog open=delete_open
            title=Signal::derive(move || format!("Delete {}?", pending_delete.get().map(|l| l.name).unwrap_or_default()))
            message=Signal::derive(move || pending_delete.get().map(|l| delete_message(&l)).unwrap_or_default())
            on_confirm=Callback::new(move |_| if let Some(l) = pending_delete.get_untracked() {
                delete.dispatch(DeleteList { id: l.id });
            }) />
    }
}

/// What deleting a list takes with it.
fn delete_message(l: &ContactList) -> String {
    let members = l.subscribed + l.unconfirmed + l.unsubscribed;
    let memberships =
        if members == 1 { "1 membership".to_owned() } else { format!("{} memberships", thousands(members)) };
    format!(
        "Its {memberships} ({} subscribed, {} unconfirmed, {} unsubscribed) and the suppressions for this list only are deleted with it. The contacts themselves stay. This cannot be undone.",
        thousands(l.subscribed),
        thousands(l.unconfirmed),
        thousands(l.unsubscribed)
    )
}

/// The table of lists.
fn lists_table(rows: Vec<ContactList>, on_edit: Callback<ContactList>, on_delete: Callback<ContactList>) -> AnyView {
    let body = rows.into_iter().map(|l| list_row(l, on_edit, on_delete)).collect_view();
    framed_table(
        "lists-table",
        "Lists",
        &[
            ("Name", Head::Left),
            ("Opt-in", Head::Left),
            ("Visibility", Head::Left),
            ("Subscribed", Head::Right),
            ("Unconfirmed", Head::Right),
            ("Unsubscribed", Head::Right),
            ("Actions", Head::ScreenReaderOnly),
        ],
        view! { <tbody class=TBODY>{body}</tbody> },
    )
}

/// One list.
fn list_row(l: ContactList, on_edit: Callback<ContactList>, on_delete: Callback<ContactList>) -> impl IntoView {
    let for_edit = l.clone();
    let for_delete = l.clone();
    let opt_in = match l.opt_in {
        OptIn::Single => pill(GREY, "single"),
        OptIn::Double => pill(INDIGO, "double"),
    };
    let visibility = match l.visibility {
        Visibility::Public => pill(AMBER, "public"),
        Visibility::Private => pill(SLATE, "private"),
    };
    let number = format!("{TD} text-right tabular-nums");
    view! {
        <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/50" data-list-id=l.id.to_string()>
            <td class=TD>
                <a href=format!("/contacts?list={}", l.id) data-testid="list-link"
                    class="font-medium text-slate-900 hover:text-indigo-600 hover:underline dark:text-white dark:hover:text-indigo-300">{l.name.clone()}</a>
                {(!l.description.is_empty()).then(|| view! { <p class="mt-0.5 max-w-md text-xs text-slate-500 dark:text-slate-400">{l.description.clone()}</p> })}
            </td>
            <td class=TD>{opt_in}</td>
            <td class=TD>{visibility}</td>
            <td class=number.clone()>{thousands(l.subscribed)}</td>
            <td class=number.clone()>{thousands(l.unconfirmed)}</td>
            <td class=number>{thousands(l.unsubscribed)}</td>
            <td class=format!("{TD} text-right")>
                <div class="flex justify-end gap-1 whitespace-nowrap">
                    <button type="button" class=ROW_ACTION data-action="edit" on:click=move |_| on_edit.run(for_edit.clone())>"Edit"</button>
                    <button type="button" class=ROW_DANGER data-action="delete" on:click=move |_| on_delete.run(for_delete.clone())>"Delete"</button>
                </div>
            </td>
        </tr>
    }
}

/// The empty state: what a list is for and the button to make one.
fn no_lists(open_new: Callback<()>) -> AnyView {
    view! {
        <div id="lists-empty" data-testid="lists-empty"
            class="empty-state rounded-xl border border-dashed border-slate-300 bg-white px-6 py-14 text-center dark:border-slate-700 dark:bg-slate-900">
            <div class="mx-auto w-fit rounded-full bg-slate-100 p-3 text-slate-400 dark:bg-slate-800">{icons::list()}</div>
            <p class="mt-3 text-sm font-semibold text-slate-900 dark:text-white">"No lists yet"</p>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Make one list per newsletter or kind of mail people can sign up for."</p>
            <button type="button" id="empty-add-list" class=format!("mt-5 {PRIMARY}") on:click=move |_| open_new.run(())>"New list"</button>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_a_list_says_how_many_memberships_go() {
        let list = ContactList {
            id: 1,
            name: "News".into(),
            description: String::new(),
            opt_in: OptIn::Double,
            visibility: Visibility::Public,
            subscribed: 12_000,
            unconfirmed: 300,
            unsubscribed: 45,
            created_at: Default::default(),
        };
        let message = delete_message(&list);
        assert!(
            message
                .starts_with("Its 12\u{a0}345 memberships (12\u{a0}000 subscribed, 300 unconfirmed, 45 unsubscribed)"),
            "{message}"
        );
    }
}
