//! Small labelled inputs of the editor's properties panel, and the bindings that connect
//! them to the document.
//!
//! Every field shows a value read from the document and reports changes through a
//! callback; it never owns the value. That way undo, redo and a restored version update
//! every field at once, and the document stays the single source of truth. A field only
//! keeps what the document cannot hold: text being typed that is not valid yet (a half-typed
//! colour or number), which it shows with a hint instead of writing it.

use leptos::prelude::*;
use model::email::{Block, is_css_color};

use super::state::EditorCtx;

/// Label above a field.
pub const LABEL: &str = "block text-xs font-medium text-slate-700 dark:text-slate-200";
/// Quiet explanation under a field.
pub const HINT: &str = "text-xs text-slate-500 dark:text-slate-400";
/// Problem line under a field.
pub const PROBLEM: &str = "text-xs font-medium text-rose-600 dark:text-rose-400";
/// Small secondary button of the panel ("Upload image", "+ Add link").
pub const SMALL_BUTTON: &str = "inline-flex items-center justify-center gap-1.5 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-xs font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40 focus-within:ring-2 focus-within:ring-indigo-500/40 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800";
/// Square icon button of list rows (move, remove).
pub const ICON_BUTTON: &str = "inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-md text-sm text-slate-500 hover:bg-slate-100 hover:text-slate-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40 disabled:cursor-not-allowed disabled:opacity-30 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-100";

/// Classes of a text-like input, red while its content is not accepted.
fn input_class(invalid: bool) -> &'static str {
    if invalid {
        "block w-full min-w-0 rounded-md border border-rose-500 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-sm outline-none focus:ring-2 focus:ring-rose-500/30 dark:bg-slate-900 dark:text-slate-100"
    } else {
        "block w-full min-w-0 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    }
}

/// A titled group of fields (`<fieldset>`), so screen readers announce what the fields
/// belong to and the panel reads as a few short sections rather than one long form.
#[component]
pub fn FieldGroup(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <fieldset class="min-w-0 space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
            <legend class="float-left mb-1 w-full text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                {title}
            </legend>
            <div class="clear-both space-y-3">{children()}</div>
        </fieldset>
    }
}

/// The note shown for blocks whose text is edited in place: the panel has no text box for
/// it, and people look for one.
pub fn canvas_note() -> AnyView {
    view! {
        <p class="rounded-md bg-indigo-50 px-3 py-2 text-xs text-indigo-800 dark:bg-indigo-500/10 dark:text-indigo-200">
            "Edit the text on the canvas: click into it to type, select words to make them bold, italic or a link."
        </p>
    }
    .into_any()
}

/// The optional hint and problem lines under a field, tied to it by `aria-describedby`.
fn field_notes(id: &str, hint: Option<&'static str>, problem: Signal<Option<String>>) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let problem_id = format!("{id}-problem");
    view! {
        {hint.map(|h| view! { <p id=hint_id class=HINT>{h}</p> })}
        <p id=problem_id class=PROBLEM aria-live="polite" class:hidden=move || problem.with(Option::is_none)>
            {move || problem.get().unwrap_or_default()}
        </p>
    }
}

/// A one-line text input; `problem` (when given) shows under it in red and marks it invalid.
#[component]
pub fn TextInput(
    /// Element id; unique on the page (field name plus block id).
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    /// Runs on every keystroke with the whole text.
    on_input: Callback<String>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] problem: Option<Signal<Option<String>>>,
    /// Monospace text (URLs, code).
    #[prop(optional)]
    monospace: bool,
) -> impl IntoView {
    let problem = problem.unwrap_or_else(|| Signal::derive(|| None));
    let invalid = move || problem.with(Option::is_some);
    let described = format!("{id}-hint {id}-problem");
    let font = if monospace { "font-mono" } else { "" };
    let spellcheck = if monospace { "false" } else { "true" };
    view! {
        <div class="space-y-1">
            <label for=id.clone() class=LABEL>{label}</label>
            <input
                id=id.clone()
                type="text"
                autocomplete="off"
                spellcheck=spellcheck
                placeholder=placeholder
                class=move || format!("{} {font}", input_class(invalid()))
                aria-invalid=move || invalid().to_string()
                aria-describedby=described
                value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
            {field_notes(&id, hint, problem)}
        </div>
    }
}

/// A multi-line text input (postal address, preheader, raw HTML).
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] problem: Option<Signal<Option<String>>>,
    /// Code rather than prose: monospace, no spell checking, no wrapping.
    #[prop(optional)]
    monospace: bool,
) -> impl IntoView {
    let problem = problem.unwrap_or_else(|| Signal::derive(|| None));
    let invalid = move || problem.with(Option::is_some);
    let described = format!("{id}-hint {id}-problem");
    let font = if monospace { "font-mono text-xs leading-relaxed whitespace-pre" } else { "" };
    let spellcheck = if monospace { "false" } else { "true" };
    view! {
        <div class="space-y-1">
            <label for=id.clone() class=LABEL>{label}</label>
            <textarea
                id=id.clone()
                rows=rows.to_string()
                placeholder=placeholder
                spellcheck=spellcheck
                class=move || format!("{} {font}", input_class(invalid()))
                aria-invalid=move || invalid().to_string()
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            >
                {value.get_untracked()}
            </textarea>
            {field_notes(&id, hint, problem)}
        </div>
    }
}

/// A whole number between `min` and `max`. Text that is not such a number is not written
/// to the document (the field says what it expects instead), so typing "3" on the way to
/// "320" never produces an invalid email.
#[component]
pub fn NumberField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<Option<u32>>,
    /// `None` only when `allow_blank` is set and the field was emptied.
    on_change: Callback<Option<u32>>,
    min: u32,
    max: u32,
    #[prop(default = 1)] step: u32,
    /// An empty field is a value of its own ("full width", "even split").
    #[prop(optional)]
    allow_blank: bool,
    /// Shown while empty: what blank means.
    #[prop(optional)]
    placeholder: &'static str,
    /// Unit after the input ("px", "%").
    #[prop(optional)]
    suffix: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    // A value set from elsewhere (undo, another field) replaces what was typed, and with
    // it any complaint about that text.
    Effect::new(move |_| {
        value.track();
        problem.set(None);
    });
    let invalid = move || problem.with(Option::is_some);
    let described = format!("{id}-hint {id}-problem");
    let shown = move |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    view! {
        <div class="space-y-1">
            <label for=id.clone() class=LABEL>{label}</label>
            <div class="flex items-center gap-1.5">
                <input
                    id=id.clone()
                    type="number"
                    inputmode="numeric"
                    min=min.to_string()
                    max=max.to_string()
                    step=step.to_string()
                    placeholder=placeholder
                    class=move || input_class(invalid())
                    aria-invalid=move || invalid().to_string()
                    aria-describedby=described
                    value=shown(value.get_untracked())
                    prop:value=move || shown(value.get())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        let text = text.trim();
                        if text.is_empty() {
                            if allow_blank {
                                problem.set(None);
                                on_change.run(None);
                            } else {
                                problem.set(Some("Enter a number.".to_owned()));
                            }
                            return;
                        }
                        match text.parse::<u32>() {
                            Ok(n) if (min..=max).contains(&n) => {
                                problem.set(None);
                                on_change.run(Some(n));
                            }
                            _ => problem.set(Some(format!("Enter a whole number from {min} to {max}."))),
                        }
                    }
                />
                {(!suffix.is_empty()).then(|| view! {
                    <span class="shrink-0 text-xs text-slate-500 dark:text-slate-400" aria-hidden="true">{suffix}</span>
                })}
            </div>
            {field_notes(&id, hint, problem.into())}
        </div>
    }
}

/// The value `<input type="color">` can show for a CSS colour: `#rrggbb` for hex colours,
/// `fallback` for the rest (names, `rgb()`), which the text box beside it still shows.
fn picker_hex(value: &str, fallback: &'static str) -> String {
    let v = value.trim();
    if let Some(hex) = v.strip_prefix('#')
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        match hex.len() {
            6 | 8 => return format!("#{}", hex[..6].to_ascii_lowercase()),
            3 | 4 => {
                let doubled: String = hex.chars().take(3).flat_map(|c| [c, c]).collect();
                return format!("#{}", doubled.to_ascii_lowercase());
            }
            _ => {}
        }
    }
    fallback.to_owned()
}

/// A colour: a picker for choosing by eye and a text box for exact values (`#1f2937`,
/// `rgb(…)`, names). Text that is not a colour is refused with a hint, so a typo never
/// reaches the email's CSS. With `on_clear` the colour is optional: an empty text box or
/// the Clear button removes it.
#[component]
pub fn ColorField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    /// The colour; empty when an optional colour is not set.
    #[prop(into)]
    value: Signal<String>,
    on_change: Callback<String>,
    #[prop(optional)] on_clear: Option<Callback<()>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let rejected = RwSignal::new(false);
    Effect::new(move |_| {
        value.track();
        rejected.set(false);
    });
    let clearable = on_clear.is_some();
    let placeholder = if clearable { "none" } else { "#000000" };
    let problem = Signal::derive(move || {
        rejected.get().then(|| {
            if clearable {
                "Not a colour: use #rrggbb, rgb(…) or a colour name, or leave it empty.".to_owned()
            } else {
                "Not a colour: use #rrggbb, rgb(…) or a colour name.".to_owned()
            }
        })
    });
    let picker_id = format!("{id}-picker");
    let described = format!("{id}-hint {id}-problem");
    let picker_label = format!("{label}: pick a colour");
    let on_text = move |text: String| {
        let text = text.trim();
        if text.is_empty() {
            match on_clear {
                Some(clear) => {
                    rejected.set(false);
                    clear.run(());
                }
                None => rejected.set(true),
            }
        } else if is_css_color(text) {
            rejected.set(false);
            on_change.run(text.to_owned());
        } else {
            rejected.set(true);
        }
    };
    let clear_button = on_clear.map(|clear| {
        let clear_label = format!("Clear {label}");
        view! {
            <button type="button" class=SMALL_BUTTON aria-label=clear_label
                disabled=move || value.with(|v| v.trim().is_empty())
                on:click=move |_| {
                    rejected.set(false);
                    clear.run(());
                }>
                "Clear"
            </button>
        }
    });
    view! {
        <div class="space-y-1">
            <label for=id.clone() class=LABEL>{label.clone()}</label>
            <div class="flex items-center gap-2">
                <input
                    id=picker_id
                    type="color"
                    aria-label=picker_label
                    class="h-8 w-9 shrink-0 cursor-pointer rounded-md border border-slate-300 bg-white p-0.5 dark:border-slate-700 dark:bg-slate-900"
                    value=picker_hex(&value.get_untracked(), "#ffffff")
                    prop:value=move || picker_hex(&value.get(), "#ffffff")
                    on:input=move |ev| {
                        rejected.set(false);
                        on_change.run(event_target_value(&ev));
                    }
                />
                <input
                    id=id.clone()
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=placeholder
                    class=move || format!("{} font-mono", input_class(rejected.get()))
                    aria-invalid=move || rejected.get().to_string()
                    aria-describedby=described
                    value=value.get_untracked()
                    prop:value=move || value.get()
                    on:input=move |ev| on_text(event_target_value(&ev))
                />
                {clear_button}
            </div>
            {field_notes(&id, hint, problem)}
        </div>
    }
}

/// A checkbox with its label (and an optional explanation under it).
#[component]
pub fn CheckboxField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into)] checked: Signal<bool>,
    on_change: Callback<bool>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="flex items-start gap-2.5">
            <input
                id=id.clone()
                type="checkbox"
                class="mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900"
                aria-describedby=hint_id.clone()
                checked=checked.get_untracked()
                prop:checked=move || checked.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            <div>
                <label for=id class="text-sm text-slate-700 dark:text-slate-200">{label}</label>
                {hint.map(|h| view! { <p id=hint_id class=HINT>{h}</p> })}
            </div>
        </div>
    }
}

/// A drop-down over `(value, label)` options.
#[component]
pub fn ChoiceField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    on_change: Callback<String>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="space-y-1">
            <label for=id.clone() class=LABEL>{label}</label>
            <select
                id=id
                aria-describedby=hint_id.clone()
                class=input_class(false)
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| {
                            let initially = value.with_untracked(|v| *v == option);
                            let current = option.clone();
                            view! {
                                <option
                                    value=option
                                    selected=initially
                                    prop:selected=move || value.with(|v| *v == current)
                                >
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            {hint.map(|h| view! { <p id=hint_id class=HINT>{h}</p> })}
        </div>
    }
}

/// A row of toggle buttons of which one is pressed (heading level, alignment, column count):
/// faster than a drop-down for two to four choices, and every choice is visible.
#[component]
pub fn Segmented<T: Copy + PartialEq + Send + Sync + 'static>(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    options: Vec<(T, &'static str)>,
    #[prop(into)] value: Signal<T>,
    on_change: Callback<T>,
) -> impl IntoView {
    let label_id = format!("{id}-label");
    let buttons = options
        .into_iter()
        .map(|(option, text)| {
            let pressed = move || value.get() == option;
            view! {
                <button
                    type="button"
                    aria-pressed=move || pressed().to_string()
                    class=move || {
                        let tone = if pressed() {
                            "bg-white text-indigo-700 shadow-sm ring-1 ring-slate-200 dark:bg-slate-700 dark:text-white dark:ring-slate-600"
                        } else {
                            "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
                        };
                        format!("flex-1 rounded px-2.5 py-1 text-xs font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40 {tone}")
                    }
                    on:click=move |_| on_change.run(option)
                >
                    {text}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="space-y-1">
            <span id=label_id.clone() class=LABEL>{label}</span>
            <div id=id role="group" aria-labelledby=label_id class="flex gap-1 rounded-md bg-slate-100 p-0.5 dark:bg-slate-800">
                {buttons}
            </div>
        </div>
    }
}

/// One value of block `id`, tracked; `read` picks it out (`None` when the block is of
/// another kind). A memo, so a field only updates when its own value changes, not on every
/// keystroke elsewhere in the document; a block that is gone reads as the default.
pub fn block_value<T>(ctx: EditorCtx, id: &str, read: impl Fn(&Block) -> Option<T> + Send + Sync + 'static) -> Signal<T>
where
    T: Clone + PartialEq + Default + Send + Sync + 'static,
{
    let id = id.to_owned();
    Memo::new(move |_| ctx.doc.with(|doc| doc.find(&id).and_then(&read)).unwrap_or_default()).into()
}

/// A callback that writes one value into block `id` with `apply`. Changes of the same
/// `field` of the same block within a moment form one undo step (`"<field>:<id>"`), so
/// typing a URL undoes as a whole rather than letter by letter.
pub fn block_setter<T: 'static>(
    ctx: EditorCtx,
    id: &str,
    field: &str,
    apply: impl Fn(&mut Block, T) + Send + Sync + 'static,
) -> Callback<T> {
    let id = id.to_owned();
    let group = format!("{field}:{id}");
    Callback::new(move |value: T| ctx.update_block(&id, Some(&group), |block| apply(block, value)))
}

#[cfg(test)]
mod tests {
    use super::picker_hex;

    #[test]
    fn pickers_get_six_digit_hex() {
        assert_eq!(picker_hex("#ABC", "#ffffff"), "#aabbcc");
        assert_eq!(picker_hex("#11223344", "#ffffff"), "#112233");
        assert_eq!(picker_hex(" #1f2937 ", "#ffffff"), "#1f2937");
        assert_eq!(picker_hex("tomato", "#ffffff"), "#ffffff");
        assert_eq!(picker_hex("#12", "#000000"), "#000000");
    }
}
