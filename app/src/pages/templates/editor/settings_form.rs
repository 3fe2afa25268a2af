//! "Email settings": the document-wide looks shown while no block is selected — width,
//! colours, font, preheader and dark-mode colours.

use leptos::prelude::*;
use model::email::{DEFAULT_FONT_FAMILY, DarkModeColors, DocumentSettings, WIDTH_RANGE};

use super::fields::{CheckboxField, ChoiceField, ColorField, FieldGroup, HINT, NumberField, TextArea};
use super::state::{EditorCtx, use_editor};

/// Font stacks every mail client has (no web fonts: fetching them would leak each open to
/// a third party, and Outlook ignores them anyway), with the names people choose by.
pub const FONT_STACKS: [(&str, &str); 6] = [
    (DEFAULT_FONT_FAMILY, "Helvetica / Arial (sans-serif)"),
    ("Georgia, 'Times New Roman', Times, serif", "Georgia (serif)"),
    ("Verdana, Geneva, sans-serif", "Verdana (sans-serif)"),
    ("'Trebuchet MS', Helvetica, sans-serif", "Trebuchet MS (sans-serif)"),
    ("Tahoma, Verdana, Segoe, sans-serif", "Tahoma (sans-serif)"),
    ("'Courier New', Courier, monospace", "Courier (monospace)"),
];

/// One document setting, tracked; a memo, so each field only updates when its own value does.
fn setting<T>(ctx: EditorCtx, read: impl Fn(&DocumentSettings) -> T + Send + Sync + 'static) -> Signal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| ctx.doc.with(|doc| read(&doc.settings))).into()
}

/// A callback writing one setting; changes of the same `field` in quick succession are one
/// undo step (`"settings:<field>"`).
fn set_setting<T: 'static>(
    ctx: EditorCtx,
    field: &str,
    apply: impl Fn(&mut DocumentSettings, T) + Send + Sync + 'static,
) -> Callback<T> {
    let group = format!("settings:{field}");
    Callback::new(move |value: T| {
        let _ = ctx.edit(Some(&group), |doc, _| {
            apply(&mut doc.settings, value);
            Ok(())
        });
    })
}

/// The dark-mode colour picked by `read`, empty while dark mode is off.
fn dark_color(ctx: EditorCtx, read: fn(&DarkModeColors) -> String) -> Signal<String> {
    setting(ctx, move |s| s.dark_mode.as_ref().map(read).unwrap_or_default())
}

/// A callback writing one dark-mode colour (turning dark mode on if it was off).
fn set_dark_color(ctx: EditorCtx, field: &str, write: fn(&mut DarkModeColors, String)) -> Callback<String> {
    set_setting(ctx, &format!("dark-{field}"), move |s, value: String| {
        write(s.dark_mode.get_or_insert_with(DarkModeColors::default), value)
    })
}

/// The settings of the whole email (shown when no block is selected).
#[component]
pub fn SettingsForm() -> impl IntoView {
    let ctx = use_editor();
    let width = setting(ctx, |s| Some(s.width));
    let background = setting(ctx, |s| s.background_color.clone());
    let content_background = setting(ctx, |s| s.content_background_color.clone());
    let font = setting(ctx, |s| s.font_family.clone());
    let text_color = setting(ctx, |s| s.text_color.clone());
    let link_color = setting(ctx, |s| s.link_color.clone());
    let preheader = setting(ctx, |s| s.preheader.clone());
    let dark_on = setting(ctx, |s| s.dark_mode.is_some());
    let dark_background = dark_color(ctx, |d| d.background.clone());
    let dark_text = dark_color(ctx, |d| d.text.clone());
    let dark_link = dark_color(ctx, |d| d.link.clone());

    let set_width = set_setting(ctx, "width", |s, value: Option<u32>| {
        if let Some(v) = value {
            s.width = v;
        }
    });
    let set_background = set_setting(ctx, "background", |s, value: String| s.background_color = value);
    let set_content_background =
        set_setting(ctx, "content-background", |s, value: String| s.content_background_color = value);
    let set_font = set_setting(ctx, "font", |s, value: String| s.font_family = value);
    let set_text_color = set_setting(ctx, "text-color", |s, value: String| s.text_color = value);
    let set_link_color = set_setting(ctx, "link-color", |s, value: String| s.link_color = value);
    let set_preheader = set_setting(ctx, "preheader", |s, value: String| s.preheader = value);
    let set_dark = set_setting(ctx, "dark-mode", |s, on: bool| {
        s.dark_mode = on.then(DarkModeColors::default);
    });
    let set_dark_background = set_dark_color(ctx, "background", |d, v| d.background = v);
    let set_dark_text = set_dark_color(ctx, "text", |d, v| d.text = v);
    let set_dark_link = set_dark_color(ctx, "link", |d, v| d.link = v);

    let (min_width, max_width) = (*WIDTH_RANGE.start(), *WIDTH_RANGE.end());
    // The known stacks, plus the document's own when it uses another one (an imported or
    // older design), so the drop-down never misstates the font.
    let font_options = Signal::derive(move || {
        let mut options: Vec<(String, String)> =
            FONT_STACKS.iter().map(|(stack, name)| ((*stack).to_owned(), (*name).to_owned())).collect();
        let current = font.get();
        if !options.iter().any(|(stack, _)| *stack == current) {
            options.push((current.clone(), format!("Custom: {current}")));
        }
        options
    });
    view! {
        <div class="space-y-4" data-testid="email-settings">
            <div>
                <h2 class="text-sm font-semibold text-slate-900 dark:text-white">"Email settings"</h2>
                <p class=HINT>"These apply to the whole email. Select a block on the canvas to edit it."</p>
            </div>
            <FieldGroup title="Layout">
                <NumberField id="settings-width" label="Content width" value=width on_change=set_width
                    min=min_width max=max_width step=10 suffix="px"
                    hint="600 px suits every client; phones scale wider emails down." />
                <ChoiceField id="settings-font" label="Font" value=font options=font_options on_change=set_font
                    hint="Fonts every mail client has, so the email looks the same everywhere." />
            </FieldGroup>
            <FieldGroup title="Colours">
                <ColorField id="settings-background" label="Background" value=background on_change=set_background
                    hint="Around the content, to the edges of the window." />
                <ColorField id="settings-content-background" label="Content background" value=content_background
                    on_change=set_content_background />
                <ColorField id="settings-text-color" label="Text" value=text_color on_change=set_text_color />
                <ColorField id="settings-link-color" label="Links" value=link_color on_change=set_link_color />
            </FieldGroup>
            <FieldGroup title="Inbox">
                <TextArea id="settings-preheader" label="Preheader" rows=2 value=preheader on_input=set_preheader
                    placeholder="A line to read after the subject"
                    hint="The grey line most inboxes show after the subject. Left empty, inboxes show the first words of the email instead. Merge tags such as {{ first_name }} work here." />
            </FieldGroup>
            <FieldGroup title="Dark mode">
                <CheckboxField id="settings-dark-mode" label="Use my own dark-mode colours" checked=dark_on
                    on_change=set_dark
                    hint="Apple Mail, Outlook for Mac and some webmails use them when the reader prefers dark mode; other clients pick their own." />
                <Show when=move || dark_on.get()>
                    <ColorField id="settings-dark-background" label="Dark background" value=dark_background
                        on_change=set_dark_background />
                    <ColorField id="settings-dark-text" label="Dark text" value=dark_text on_change=set_dark_text />
                    <ColorField id="settings-dark-link" label="Dark links" value=dark_link on_change=set_dark_link />
                </Show>
            </FieldGroup>
        </div>
    }
}
