//! Text edited in place on the canvas: a `contenteditable` element per heading, text and
//! footer block, with a small format bar (bold, italic, link, lists) floating above it
//! while text in it is selected (Ctrl+B and Ctrl+I work without it). Showing the bar only for
//! a selection keeps it from covering the block above while the user simply types.
//!
//! The element's HTML is written only when the block is created or when the document
//! changes from elsewhere (undo, redo, a restored version): never while the user types, or
//! the caret would jump. Every `input` event turns the element's HTML back into
//! [`RichText`] (the closed set of formatting email clients handle) as one undo group per
//! block, so undo takes back a burst of typing at once.

use leptos::html::Div;
use leptos::prelude::*;
use model::email::RichText;
use model::email::editable::{from_editable_html, to_editable_html};

use super::block_view::set_rich_text;
use super::dnd::{DragState, use_drag};
use super::state::use_editor;

/// Editable text of block `block_id`.
#[component]
pub fn InlineText(
    /// The block whose text this is.
    block_id: String,
    /// The block's text as the document has it; `None` once the block is gone.
    #[prop(into)]
    text: Signal<Option<RichText>>,
    /// Font size and weight (headings are larger).
    #[prop(into)]
    style: Signal<String>,
    /// Shown while the text is empty.
    placeholder: &'static str,
) -> impl IntoView {
    let ctx = use_editor();
    let drag = use_drag();
    let node = NodeRef::<Div>::new();
    let focused = RwSignal::new(false);
    // True while the selection is a non-empty range inside this element.
    let selecting = RwSignal::new(false);
    let check_selection = move || {
        let now = focused.get_untracked() && selection_inside(node);
        if selecting.get_untracked() != now {
            selecting.set(now);
        }
    };
    let initial = text.with_untracked(|t| t.as_ref().map(to_editable_html).unwrap_or_default());

    // Outside changes (undo, redo, restore) rewrite the element; typing does not, because
    // the document then already equals what the element shows.
    Effect::new(move |_| {
        let wanted = text.get();
        let (Some(element), Some(wanted)) = (node.get(), wanted) else {
            return;
        };
        if from_editable_html(&element.inner_html()) != wanted {
            element.set_inner_html(&to_editable_html(&wanted));
        }
    });

    let group = format!("text:{block_id}");
    let target = block_id.clone();
    let push = Callback::new(move |()| {
        let Some(element) = node.get_untracked() else {
            return;
        };
        let new_text = from_editable_html(&element.inner_html());
        ctx.update_block(&target, Some(group.as_str()), move |block| set_rich_text(block, new_text));
    });

    view! {
        <div class="relative">
            <Show when=move || focused.get() && selecting.get()>
                <FormatBar node=node push=push after=Callback::new(move |()| check_selection()) />
            </Show>
            <div
                node_ref=node
                contenteditable="true"
                role="textbox"
                aria-multiline="true"
                aria-label=placeholder
                spellcheck="true"
                data-testid="inline-text"
                data-block-id=block_id
                data-placeholder=placeholder
                class="min-h-[1.5em] cursor-text break-words outline-none empty:before:text-slate-400 empty:before:content-[attr(data-placeholder)] [&_a]:text-[var(--bm-link)] [&_a]:underline [&_ol]:list-decimal [&_ol]:pl-6 [&_p]:m-0 [&_p+p]:mt-3 [&_ul]:list-disc [&_ul]:pl-6"
                style=move || style.get()
                inner_html=initial
                on:input=move |_| {
                    push.run(());
                    check_selection();
                }
                on:keyup=move |_| check_selection()
                on:mouseup=move |_| check_selection()
                on:focus=move |_| {
                    focused.set(true);
                    drag.text_focused.set(true);
                }
                on:blur=move |_| {
                    focused.set(false);
                    selecting.set(false);
                    drag.text_focused.set(false);
                }
                on:paste=move |ev: leptos::ev::ClipboardEvent| paste_plain(&ev, push)
                on:dragover=move |ev: leptos::ev::DragEvent| refuse_block_drop(&ev, drag)
                on:drop=move |ev: leptos::ev::DragEvent| refuse_block_drop(&ev, drag)
            ></div>
        </div>
    }
}

/// Keeps a block dragged by the editor from being dropped into the text as its `text/plain`
/// payload (the palette key or block id would otherwise be typed into the text).
fn refuse_block_drop(ev: &leptos::ev::DragEvent, drag: DragState) {
    if drag.current.with_untracked(Option::is_some) {
        ev.prevent_default();
        super::dnd::set_drop_effect(ev, "none");
    }
}

/// Pastes the clipboard as plain text: formatting from word processors and web pages would
/// not survive the trip into an email anyway, and plain text keeps the element clean.
fn paste_plain(ev: &leptos::ev::ClipboardEvent, push: Callback<()>) {
    #[cfg(feature = "hydrate")]
    {
        let text = ev.clipboard_data().and_then(|data| data.get_data("text/plain").ok());
        if let Some(text) = text {
            ev.prevent_default();
            exec("insertText", Some(&text));
            push.run(());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, push);
}

/// A formatting command of the format bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Bold,
    Italic,
    Link,
    Bullets,
    Numbers,
}

impl Format {
    /// (button text, tooltip, test id).
    fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Bold => ("B", "Bold (Ctrl+B)", "format-bold"),
            Self::Italic => ("I", "Italic (Ctrl+I)", "format-italic"),
            Self::Link => ("🔗", "Link", "format-link"),
            Self::Bullets => ("•", "Bulleted list", "format-bullets"),
            Self::Numbers => ("1.", "Numbered list", "format-numbers"),
        }
    }

    /// Applies the command to the selection in the focused element (browser only).
    fn apply(self, node: NodeRef<Div>) {
        #[cfg(feature = "hydrate")]
        {
            match self {
                Self::Bold => {
                    exec("bold", None);
                }
                Self::Italic => {
                    exec("italic", None);
                }
                Self::Bullets => {
                    exec("insertUnorderedList", None);
                }
                Self::Numbers => {
                    exec("insertOrderedList", None);
                }
                Self::Link => link(node),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = node;
    }
}

/// True when the document's selection is a non-empty range inside `node`.
fn selection_inside(node: NodeRef<Div>) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(element) = node.get_untracked() else {
            return false;
        };
        let Some(selection) = window().get_selection().ok().flatten() else {
            return false;
        };
        if selection.range_count() == 0 || selection.is_collapsed() {
            return false;
        }
        let anchor = selection.anchor_node();
        element.contains(anchor.as_ref())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = node;
        false
    }
}

/// The floating bar above the selected text. Its mouse-downs are cancelled, so the text
/// keeps the focus and the selection the command applies to; `after` runs after each command
/// (the selection may have collapsed).
#[component]
fn FormatBar(node: NodeRef<Div>, push: Callback<()>, after: Callback<()>) -> impl IntoView {
    let buttons = [Format::Bold, Format::Italic, Format::Link, Format::Bullets, Format::Numbers]
        .into_iter()
        .map(|format| {
            let (text, title, testid) = format.describe();
            let weight = match format {
                Format::Bold => "font-bold",
                Format::Italic => "italic font-serif",
                _ => "",
            };
            view! {
                <button
                    type="button"
                    title=title
                    aria-label=title
                    data-testid=testid
                    class=format!("grid h-7 min-w-7 place-items-center rounded px-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-700 {weight}")
                    on:click=move |ev| {
                        ev.stop_propagation();
                        format.apply(node);
                        push.run(());
                        after.run(());
                    }
                >
                    {text}
                </button>
            }
        })
        .collect_view();
    view! {
        <div
            role="toolbar"
            aria-label="Text formatting"
            data-testid="format-bar"
            class="absolute -top-10 left-0 z-30 flex items-center gap-0.5 rounded-lg border border-slate-200 bg-white p-1 text-slate-700 shadow-lg dark:border-slate-700 dark:bg-slate-800 dark:text-slate-200"
            style="font-size:14px;line-height:1;font-weight:normal;font-family:ui-sans-serif,system-ui,sans-serif;"
            on:mousedown=|ev| ev.prevent_default()
            on:click=|ev| ev.stop_propagation()
        >
            {buttons}
        </div>
    }
}

/// Asks for a link address and links the selection (or inserts the address as a link when
/// nothing is selected); an empty answer removes the link.
#[cfg(feature = "hydrate")]
fn link(node: NodeRef<Div>) {
    let window = window();
    let selection = window.get_selection().ok().flatten();
    let range = selection.as_ref().filter(|s| s.range_count() > 0).and_then(|s| s.get_range_at(0).ok());
    let answer = window.prompt_with_message_and_default(
        "Link address (https://…, mailto:… or a merge tag such as {{ site_url }})",
        "https://",
    );
    let Ok(Some(url)) = answer else {
        return;
    };
    // The prompt may have taken the focus and the selection: put both back.
    if let Some(element) = node.get_untracked() {
        let _ = element.focus();
    }
    if let (Some(selection), Some(range)) = (&selection, &range) {
        let _ = selection.remove_all_ranges();
        let _ = selection.add_range(range);
    }
    let url = url.trim();
    if url.is_empty() || url == "https://" {
        exec("unlink", None);
    } else if range.as_ref().is_none_or(|r| r.collapsed()) {
        let escaped = escape_html(url);
        exec("insertHTML", Some(&format!("<a href=\"{escaped}\">{escaped}</a>")));
    } else {
        exec("createLink", Some(url));
    }
}

/// Runs a `document.execCommand`: still the only way to format a contenteditable selection
/// that every browser supports and that joins the browser's own input events.
#[cfg(feature = "hydrate")]
fn exec(command: &str, value: Option<&str>) -> bool {
    use leptos::wasm_bindgen::JsCast;
    let Ok(document) = document().dyn_into::<web_sys::HtmlDocument>() else {
        return false;
    };
    match value {
        Some(value) => document.exec_command_with_show_ui_and_value(command, false, value),
        None => document.exec_command(command),
    }
    .unwrap_or(false)
}

/// `text` safe inside HTML text and double-quoted attributes.
#[cfg(feature = "hydrate")]
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
