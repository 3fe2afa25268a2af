//! The editing surface: the document drawn roughly as the email looks, every block in a
//! selectable, draggable frame, drop zones between blocks of every parent (top level,
//! section bodies, each column), and in-place text editing.
//!
//! Lists are keyed by block id, and each frame reads its own block through a memo, so a
//! keystroke in one text re-renders nothing else (and never re-creates the element being
//! typed into).

use leptos::prelude::*;
use model::email::edit::{Parent, Slot};
use model::email::{Block, BlockKind, BlockStyle};

use super::actions;
use super::block_view::{box_style, has_inline_text, kind_key, leaf_view, rich_text, sheet_style, text_style};
use super::dnd::{self, Dragging, use_drag};
use super::inline_text::InlineText;
use super::state::{EditorCtx, use_editor};
use crate::components::toast::{Toasts, use_toasts};

/// Id and kind key of each block of one list, in order: what the keyed lists iterate over.
type Items = Vec<(String, &'static str)>;

/// The canvas pane.
#[component]
pub fn Canvas() -> impl IntoView {
    let ctx = use_editor();
    let outer = Memo::new(move |_| {
        ctx.doc.with(|d| {
            format!("background-color:{};", super::block_view::css_color(&d.settings.background_color, "#f4f4f5"))
        })
    });
    let sheet = Memo::new(move |_| ctx.doc.with(|d| sheet_style(&d.settings)));
    let root = Memo::new(move |_| ctx.doc.with(|d| items_of(&d.blocks)));
    view! {
        <div
            data-testid="canvas"
            class="h-full overflow-auto px-6 py-10"
            style=move || outer.get()
            on:click=move |_| ctx.selected.set(None)
        >
            <div class="bm-sheet mx-auto shadow-sm ring-1 ring-slate-900/5" style=move || sheet.get()>
                <div data-testid="canvas-root" class="flex flex-col py-2">
                    {block_list(Parent::Root, root.into())}
                </div>
            </div>
        </div>
    }
}

/// Id and kind of each of `blocks`.
fn items_of(blocks: &[Block]) -> Items {
    blocks.iter().map(|b| (b.id.clone(), kind_key(&b.kind))).collect()
}

/// The blocks of one parent with a drop zone before, between and after them.
fn block_list(parent: Parent, items: Signal<Items>) -> AnyView {
    let empty = Signal::derive(move || items.with(Vec::is_empty));
    let first = parent.clone();
    view! {
        <DropZone parent=first index=Signal::derive(|| 0usize) empty=empty />
        <For
            each=move || items.get()
            key=|item| item.clone()
            children=move |(id, kind)| {
                let after = id.clone();
                let index = Signal::derive(move || {
                    items.with(|list| list.iter().position(|(i, _)| *i == after).map_or(0, |p| p + 1))
                });
                view! {
                    {block_frame(id, kind)}
                    <DropZone parent=parent.clone() index=index empty=Signal::derive(|| false) />
                }
            }
        />
    }
    .into_any()
}

/// One block in its frame: selection, hover outline, action bar, drag source.
fn block_frame(id: String, kind: &'static str) -> AnyView {
    let ctx = use_editor();
    let drag = use_drag();
    let toasts = use_toasts();
    let block = {
        let id = id.clone();
        Memo::new(move |_| ctx.doc.with(|d| d.find(&id).cloned()))
    };
    let selected = {
        let id = id.clone();
        Memo::new(move |_| ctx.selected.with(|s| s.as_deref() == Some(id.as_str())))
    };
    let style = move || block.with(|b| b.as_ref().map(|b| box_style(&b.style)).unwrap_or_default());
    let class = move || {
        if selected.get() {
            "group relative z-[1] outline-2 outline-offset-[-2px] outline-solid outline-indigo-500"
        } else {
            "group relative outline-1 outline-offset-[-1px] outline-dashed outline-transparent hover:outline-indigo-400 focus-visible:outline-2 focus-visible:outline-solid focus-visible:outline-indigo-500"
        }
    };
    let badges = move || block.with(|b| b.as_ref().and_then(|b| visibility_badges(&b.style)));
    let content = match kind {
        k if has_inline_text(k) => text_content(id.clone(), kind, block),
        "section" => section_body(id.clone(), block),
        "columns" => columns_body(id.clone(), block),
        _ => view! { <div class="min-w-0">{move || block.with(|b| b.as_ref().map(leaf_view))}</div> }.into_any(),
    };
    let bar_id = id.clone();
    let select_id = id.clone();
    let key_id = id.clone();
    view! {
        <div
            data-testid="canvas-block"
            data-block-id=id
            data-kind=kind
            aria-selected=move || selected.get().to_string()
            tabindex="0"
            draggable=move || if drag.text_focused.get() { "false" } else { "true" }
            class=class
            style=style
            on:click=move |ev| {
                ev.stop_propagation();
                if ctx.selected.with_untracked(|s| s.as_deref() != Some(select_id.as_str())) {
                    ctx.selected.set(Some(select_id.clone()));
                }
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                // Enter on the focused frame itself (not on text inside it) selects the block.
                if ev.key() == "Enter" && ev.target() == ev.current_target() {
                    ev.prevent_default();
                    ctx.selected.set(Some(key_id.clone()));
                }
            }
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                ev.stop_propagation();
                if let Some(b) = block.get_untracked() {
                    dnd::begin(&ev, drag, Dragging::existing(b));
                }
            }
            on:dragend=move |_| dnd::end(drag)
        >
            {badges}
            {move || selected.get().then(|| action_bar(ctx, toasts, bar_id.clone()))}
            {content}
        </div>
    }
    .into_any()
}

/// "Hidden on mobile" / "hidden on desktop" labels of a block.
fn visibility_badges(style: &BlockStyle) -> Option<AnyView> {
    if !style.hide_on_mobile && !style.hide_on_desktop {
        return None;
    }
    let pill =
        "rounded-full bg-amber-100/90 px-1.5 py-0.5 font-sans text-[10px] font-medium leading-none text-amber-800";
    Some(
        view! {
            <div class="pointer-events-none absolute left-1 top-1 z-10 flex gap-1" data-testid="visibility-badges">
                {style.hide_on_mobile.then(|| view! { <span class=pill>"hidden on mobile"</span> })}
                {style.hide_on_desktop.then(|| view! { <span class=pill>"hidden on desktop"</span> })}
            </div>
        }
        .into_any(),
    )
}

/// Move up, move down, duplicate and delete, on the selected block.
fn action_bar(ctx: EditorCtx, toasts: Toasts, id: String) -> AnyView {
    let report = move |result: Result<(), model::email::edit::EditError>| {
        if let Err(e) = result {
            toasts.error(format!("{e}"));
        }
    };
    let up = id.clone();
    let down = id.clone();
    let copy = id.clone();
    let gone = id;
    let button = "grid h-6 w-6 place-items-center rounded text-xs hover:bg-white/20 focus:outline-none focus-visible:ring-2 focus-visible:ring-white";
    view! {
        <div
            data-testid="block-actions"
            role="toolbar"
            aria-label="Block actions"
            class="absolute right-1 top-1 z-20 flex items-center gap-0.5 rounded-md bg-indigo-600 p-0.5 font-sans text-white shadow-lg"
            style="line-height:1;font-size:12px;font-weight:normal;"
            on:click=|ev| ev.stop_propagation()
        >
            <button type="button" class=button title="Move up" aria-label="Move block up" data-testid="move-up"
                on:click=move |ev| {
                    ev.stop_propagation();
                    report(actions::shift(ctx, &up, -1));
                }>"↑"</button>
            <button type="button" class=button title="Move down" aria-label="Move block down" data-testid="move-down"
                on:click=move |ev| {
                    ev.stop_propagation();
                    report(actions::shift(ctx, &down, 1));
                }>"↓"</button>
            <button type="button" class=button title="Duplicate" aria-label="Duplicate block" data-testid="duplicate-block"
                on:click=move |ev| {
                    ev.stop_propagation();
                    report(actions::duplicate_block(ctx, &copy).map(|_| ()));
                }>"⧉"</button>
            <button type="button" class=format!("{button} hover:bg-rose-500") title="Delete (Del)" aria-label="Delete block"
                data-testid="delete-block"
                on:click=move |ev| {
                    ev.stop_propagation();
                    report(actions::delete_block(ctx, &gone));
                }>"✕"</button>
        </div>
    }
    .into_any()
}

/// Heading, text and footer: the editable text (and the footer's fixed lines).
fn text_content(id: String, kind: &'static str, block: Memo<Option<Block>>) -> AnyView {
    let text = Memo::new(move |_| block.with(|b| b.as_ref().and_then(rich_text).cloned()));
    let style = Signal::derive(move || block.with(|b| text_style(b.as_ref())));
    let placeholder = match kind {
        "heading" => "Heading",
        "footer" => "Footer text (optional)",
        _ => "Type your text…",
    };
    let editor = view! { <InlineText block_id=id text=text style=style placeholder=placeholder /> };
    if kind != "footer" {
        return editor.into_any();
    }
    let address = move || {
        block.with(|b| match b.as_ref().map(|b| &b.kind) {
            Some(BlockKind::Footer { postal_address, .. }) => postal_address.clone(),
            _ => String::new(),
        })
    };
    view! {
        <div style="font-size:12px;line-height:1.5;">
            {editor}
            <p class="mt-2 whitespace-pre-line">
                {move || {
                    let address = address();
                    if address.trim().is_empty() {
                        view! { <span class="italic opacity-60">"Postal address: set it in the properties"</span> }.into_any()
                    } else {
                        view! { <span>{address}</span> }.into_any()
                    }
                }}
            </p>
            <p class="mt-2">
                <span class="underline" style="color:var(--bm-link);">"Unsubscribe"</span>
            </p>
        </div>
    }
    .into_any()
}

/// A section's blocks, with their drop zones.
fn section_body(id: String, block: Memo<Option<Block>>) -> AnyView {
    let items = Memo::new(move |_| {
        block.with(|b| match b.as_ref().map(|b| &b.kind) {
            Some(BlockKind::Section { blocks }) => items_of(blocks),
            _ => Vec::new(),
        })
    });
    view! {
        <div class="flex min-h-[2rem] flex-col" data-testid="section-body">
            {block_list(Parent::Section(id), items.into())}
        </div>
    }
    .into_any()
}

/// Columns side by side, each with its blocks and drop zones.
fn columns_body(id: String, block: Memo<Option<Block>>) -> AnyView {
    let widths = Memo::new(move |_| {
        block.with(|b| match b.as_ref().map(|b| &b.kind) {
            Some(BlockKind::Columns { columns, .. }) => columns.iter().map(|c| c.width_percent).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let each = move || (0..widths.with(Vec::len)).collect::<Vec<usize>>();
    let column = move |index: usize| {
        let columns_id = id.clone();
        let items = Memo::new(move |_| {
            block.with(|b| match b.as_ref().map(|b| &b.kind) {
                Some(BlockKind::Columns { columns, .. }) => {
                    columns.get(index).map(|c| items_of(&c.blocks)).unwrap_or_default()
                }
                _ => Vec::new(),
            })
        });
        let style = move || widths.with(|w| column_style(w.get(index).copied().flatten()));
        view! {
            <div class="flex min-w-0 flex-col outline-1 outline-offset-[-1px] outline-dashed outline-slate-200"
                data-testid="column" style=style>
                {block_list(Parent::Column { columns_id, index }, items.into())}
            </div>
        }
    };
    view! {
        <div class="flex items-stretch" data-testid="columns-body">
            <For each=each key=|index: &usize| *index children=column />
        </div>
    }
    .into_any()
}

/// Flex sizing of a column: its share when set, else an even split of what is left (which
/// is how the renderer divides the row too).
fn column_style(width_percent: Option<u8>) -> String {
    match width_percent {
        Some(p) => format!("flex:0 0 {}%;", p.min(100)),
        None => "flex:1 1 0%;".to_owned(),
    }
}

/// A drop target at `index` of `parent`: a thin line that lights up while a block that may
/// go there is dragged over it. When the parent is empty it is a roomy dashed area instead,
/// and for an empty document the big "Drag blocks here" area (`canvas-empty`).
///
/// Its size never changes during a drag, so a drag aimed at it does not miss.
#[component]
fn DropZone(parent: Parent, index: Signal<usize>, empty: Signal<bool>) -> impl IntoView {
    let ctx = use_editor();
    let drag = use_drag();
    let toasts = use_toasts();
    let hover = RwSignal::new(false);
    let is_root = matches!(parent, Parent::Root);
    let parent = StoredValue::new(parent);
    let fits = Memo::new(move |_| drag.current.with(|d| d.as_ref().map(|d| parent.with_value(|p| d.fits(p)))));
    let testid = move || if is_root && empty.get() { "canvas-empty" } else { "drop-zone" };
    let class = move || {
        let lit = hover.get() && fits.get() == Some(true);
        let armed = fits.get() == Some(true);
        match (empty.get(), is_root) {
            (true, true) => format!(
                "m-6 flex min-h-[14rem] items-center justify-center rounded-xl border-2 border-dashed text-sm font-medium {}",
                if lit {
                    "border-indigo-500 bg-indigo-50 text-indigo-700"
                } else if armed {
                    "border-indigo-300 text-slate-500"
                } else {
                    "border-slate-300 text-slate-400"
                }
            ),
            (true, false) => format!(
                "m-1 flex min-h-[4rem] items-center justify-center rounded-md border border-dashed font-sans text-xs {}",
                if lit {
                    "border-indigo-500 bg-indigo-50 text-indigo-700"
                } else if armed {
                    "border-indigo-300 text-slate-500"
                } else {
                    "border-slate-300 text-slate-400"
                }
            ),
            _ => "relative h-2 shrink-0".to_owned(),
        }
    };
    let line = move || {
        let lit = hover.get() && fits.get() == Some(true);
        let armed = fits.get() == Some(true);
        let look = if lit {
            "h-1.5 bg-indigo-600"
        } else if armed {
            "h-0.5 bg-indigo-300"
        } else {
            "h-0 bg-transparent"
        };
        format!("pointer-events-none absolute inset-x-2 top-1/2 -translate-y-1/2 rounded-full {look}")
    };
    let label = move || match (empty.get(), is_root) {
        (true, true) => Some("Drag blocks here"),
        (true, false) => Some("Drop blocks here"),
        _ => None,
    };
    view! {
        <div
            data-testid=testid
            data-index=move || index.get().to_string()
            class=class
            on:dragenter=move |ev: leptos::ev::DragEvent| {
                parent.with_value(|p| dnd::accept(&ev, drag, p));
            }
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.stop_propagation();
                if parent.with_value(|p| dnd::accept(&ev, drag, p)) && !hover.get_untracked() {
                    hover.set(true);
                }
            }
            on:dragleave=move |_| hover.set(false)
            on:drop=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                ev.stop_propagation();
                hover.set(false);
                let Some(source) = dnd::take(&ev, drag) else {
                    return;
                };
                let slot = Slot { parent: parent.get_value(), index: index.get_untracked() };
                if let Err(e) = actions::drop_at(ctx, source, &slot) {
                    toasts.error(format!("The block cannot go there: {e}"));
                }
            }
        >
            {move || match label() {
                Some(text) => view! { <span class="pointer-events-none">{text}</span> }.into_any(),
                None => view! { <span class=line></span> }.into_any(),
            }}
        </div>
    }
}
