//! Makes the texts in `locales/` into the `i18n` module (leptos_i18n's code generation), after
//! checking that every language has every text: a text missing in one language fails the build.

use std::collections::BTreeSet;
use std::error::Error;
use std::path::{Path, PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// The default language first.
const LANGUAGES: [&str; 2] = ["en", "de"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let keys: Vec<BTreeSet<String>> = LANGUAGES
        .iter()
        .map(|language| keys_of(&Path::new("locales").join(format!("{language}.json"))))
        .collect::<Result<_, _>>()?;
    for (language, its_keys) in LANGUAGES.iter().zip(&keys).skip(1) {
        let missing: Vec<_> = keys[0].difference(its_keys).collect();
        let extra: Vec<_> = its_keys.difference(&keys[0]).collect();
        if !missing.is_empty() || !extra.is_empty() {
            return Err(format!(
                "locales/{language}.json lacks {missing:?} and has texts English lacks: {extra:?}"
            )
            .into());
        }
    }

    let options = ParseOptions::default().interpolate_display(true);
    let config = Config::new(LANGUAGES[0])?
        .add_locale(LANGUAGES[1])?
        .parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?).join("i18n");
    translations.generate_i18n_module(out)?;
    Ok(())
}

/// Every text's key in a locale file, nested ones as `outer.inner`.
fn keys_of(path: &Path) -> Result<BTreeSet<String>, Box<dyn Error>> {
    let texts: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let mut keys = BTreeSet::new();
    collect_keys("", &texts, &mut keys);
    Ok(keys)
}

fn collect_keys(prefix: &str, value: &serde_json::Value, keys: &mut BTreeSet<String>) {
    match value.as_object() {
        Some(object) => {
            for (key, inner) in object {
                collect_keys(&format!("{prefix}{key}."), inner, keys);
            }
        }
        None => {
            keys.insert(prefix.trim_end_matches('.').to_owned());
        }
    }
}
