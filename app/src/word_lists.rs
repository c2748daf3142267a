//! The passphrase word lists, fetched from `/wordlists/` when first needed (the start page's
//! generator, the pre-join page's strength hint) and kept for the page's lifetime, rather than
//! carried in the app's first load: together they are about a seventh of it.

use crate::fetch::{self, NotLoaded};
use crypto::{Language, WordList};
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// The lists fetched so far.
    static LOADED: RefCell<Vec<(Language, Arc<WordList>)>> = const { RefCell::new(Vec::new()) };
}

/// The word list for `language`, fetched once; a list that does not fetch or does not parse as
/// a word list is [`NotLoaded`] (and is fetched again on the next call).
pub async fn load(language: Language) -> Result<Arc<WordList>, NotLoaded> {
    let known = LOADED.with_borrow(|loaded| {
        loaded
            .iter()
            .find(|(known, _)| *known == language)
            .map(|(_, list)| list.clone())
    });
    if let Some(list) = known {
        return Ok(list);
    }
    let text = fetch::text(&format!("/wordlists/{}", language.file_name())).await?;
    let list = Arc::new(WordList::parse(&text).map_err(|_| NotLoaded)?);
    LOADED.with_borrow_mut(|loaded| loaded.push((language, list.clone())));
    Ok(list)
}
