//! "Block style": what every block has whatever its kind — padding, alignment, background
//! and the hide-on-mobile / hide-on-desktop switches.

use leptos::prelude::*;
use model::email::{Alignment, Block, Padding};

use super::fields::{
    CheckboxField, ColorField, FieldGroup, HINT, LABEL, NumberField, Segmented, block_setter, block_value,
};
use super::state::{EditorCtx, use_editor};

/// Most padding offered on one side, in px.
const MAX_PADDING: u32 = 200;

/// One side of the padding.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Top,
    Right,
    Bottom,
    Left,
}

impl Side {
    const ALL: [Side; 4] = [Side::Top, Side::Right, Side::Bottom, Side::Left];

    fn label(self) -> &'static str {
        match self {
            Side::Top => "Top",
            Side::Right => "Right",
            Side::Bottom => "Bottom",
            Side::Left => "Left",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Side::Top => "top",
            Side::Right => "right",
            Side::Bottom => "bottom",
            Side::Left => "left",
        }
    }

    fn get(self, p: &Padding) -> u16 {
        match self {
            Side::Top => p.top,
            Side::Right => p.right,
            Side::Bottom => p.bottom,
            Side::Left => p.left,
        }
    }

    fn set(self, p: &mut Padding, px: u16) {
        match self {
            Side::Top => p.top = px,
            Side::Right => p.right = px,
            Side::Bottom => p.bottom = px,
            Side::Left => p.left = px,
        }
    }
}

/// True when all four sides are the same.
fn is_uniform(p: &Padding) -> bool {
    p.top == p.right && p.right == p.bottom && p.bottom == p.left
}

/// The style group for block `id`.
#[component]
pub fn StyleForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let align = block_value(ctx, &id, |b| Some(b.style.align));
    let background = block_value(ctx, &id, |b| Some(b.style.background_color.clone().unwrap_or_default()));
    let hide_mobile = block_value(ctx, &id, |b| Some(b.style.hide_on_mobile));
    let hide_desktop = block_value(ctx, &id, |b| Some(b.style.hide_on_desktop));
    let set_align = block_setter(ctx, &id, "align", |b: &mut Block, value: Alignment| b.style.align = value);
    let set_background =
        block_setter(ctx, &id, "background", |b: &mut Block, value: String| b.style.background_color = Some(value));
    let clear_background =
        block_setter(ctx, &id, "background", |b: &mut Block, (): ()| b.style.background_color = None);
    let set_hide_mobile =
        block_setter(ctx, &id, "hide-mobile", |b: &mut Block, value: bool| b.style.hide_on_mobile = value);
    let set_hide_desktop =
        block_setter(ctx, &id, "hide-desktop", |b: &mut Block, value: bool| b.style.hide_on_desktop = value);
    let hidden_everywhere = move || hide_mobile.get() && hide_desktop.get();
    view! {
        <FieldGroup title="Block style">
            <PaddingFields id=id.clone() />
            <Segmented id=format!("prop-align-{id}") label="Alignment"
                options=vec![(Alignment::Left, "Left"), (Alignment::Center, "Center"), (Alignment::Right, "Right")]
                value=align on_change=set_align />
            <ColorField id=format!("prop-background-{id}") label="Background" value=background
                on_change=set_background on_clear=clear_background
                hint="Empty lets the email's content background show through." />
            <CheckboxField id=format!("prop-hide-mobile-{id}") label="Hide on mobile" checked=hide_mobile
                on_change=set_hide_mobile />
            <CheckboxField id=format!("prop-hide-desktop-{id}") label="Hide on desktop" checked=hide_desktop
                on_change=set_hide_desktop
                hint="Outlook for Windows ignores this and always shows the block." />
            <p class="text-xs font-medium text-amber-700 dark:text-amber-300" class:hidden=move || !hidden_everywhere()>
                "Hidden on both: only Outlook for Windows will show this block."
            </p>
        </FieldGroup>
    }
}

/// Padding on four sides, optionally linked so one value sets all of them.
#[component]
fn PaddingFields(id: String) -> impl IntoView {
    let ctx = use_editor();
    let padding = block_value(ctx, &id, |b| Some(b.style.padding));
    // Linked when the sides start out equal: the usual case, and then one edit does all.
    let linked = RwSignal::new(padding.with_untracked(is_uniform));
    let toggle = {
        let id = id.clone();
        move |_: leptos::ev::MouseEvent| {
            let now = !linked.get_untracked();
            linked.set(now);
            if now {
                // Linking makes the sides equal, to the top value, as one undo step.
                ctx.update_block(&id, None, |b| b.style.padding = Padding::uniform(b.style.padding.top));
            }
        }
    };
    let inputs = Side::ALL
        .into_iter()
        .map(|side| {
            let value = Signal::derive(move || Some(u32::from(padding.with(|p| side.get(p)))));
            view! {
                <NumberField id=format!("prop-padding-{}-{id}", side.key()) label=side.label() value=value
                    on_change=padding_setter(ctx, &id, linked, side) min=0 max=MAX_PADDING suffix="px" />
            }
        })
        .collect_view();
    let label_id = format!("prop-padding-{id}-label");
    let labelled_by = label_id.clone();
    view! {
        <div class="space-y-2" role="group" aria-labelledby=labelled_by>
            <div class="flex items-center justify-between">
                <span id=label_id class=LABEL>"Padding"</span>
                <button type="button"
                    aria-pressed=move || linked.get().to_string()
                    title="When on, changing one side changes all four"
                    class=move || {
                        let tone = if linked.get() {
                            "border-indigo-300 bg-indigo-50 text-indigo-700 dark:border-indigo-500/40 dark:bg-indigo-500/10 dark:text-indigo-200"
                        } else {
                            "border-slate-300 text-slate-600 hover:bg-slate-50 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"
                        };
                        format!("rounded-md border px-2 py-0.5 text-xs font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40 {tone}")
                    }
                    on:click=toggle>
                    {move || if linked.get() { "Linked sides" } else { "Link all sides" }}
                </button>
            </div>
            <div class="grid grid-cols-2 gap-2">{inputs}</div>
            <p class=HINT>"Space inside the block, in px."</p>
        </div>
    }
}

/// Writes one side of block `id`'s padding, or all four while `linked`. All sides share one
/// undo group, so adjusting the padding is one step however many sides it touched.
fn padding_setter(ctx: EditorCtx, id: &str, linked: RwSignal<bool>, side: Side) -> Callback<Option<u32>> {
    block_setter(ctx, id, "padding", move |b: &mut Block, value: Option<u32>| {
        let Some(value) = value else {
            return;
        };
        let px = u16::try_from(value).unwrap_or(u16::MAX);
        if linked.get_untracked() {
            b.style.padding = Padding::uniform(px);
        } else {
            side.set(&mut b.style.padding, px);
        }
    })
}
