//! [`Paged`]: a list that grows a page at a time (**Load more**), as the activity, the
//! administration's accounts and its audit log show theirs: each page is appended as
//! it comes, and an answer to an older request that arrives late (a new search sent
//! meanwhile) is dropped rather than mixed in.

use crate::shared::{
    error::AppError,
    i18n::{Say1, Texts, Words},
};
use leptos::{prelude::*, task::spawn_local};
use std::future::Future;

/// The state of a paged list of `T`.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    /// The cursor of the next page; `None` on the last.
    pub next: RwSignal<Option<String>>,
    /// The first page has arrived.
    pub loaded: RwSignal<bool>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<Words>>,
    /// Which load is the latest.
    generation: StoredValue<u64>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Default for Paged<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + Sync + 'static> Paged<T> {
    pub fn new() -> Self {
        Paged {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loaded: RwSignal::new(false),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Fetches the next page with `fetch(cursor)` (the items and the next cursor) and
    /// appends it; `fresh` starts over from the first page (a new search). A failure is
    /// worded by `failed` ("Could not load …: {error}").
    pub fn load<F, Fut>(self, fresh: bool, fetch: F, failed: fn(&Texts) -> Say1)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), AppError>> + 'static,
    {
        if fresh {
            self.generation.update_value(|g| *g += 1);
        }
        let mine = self.generation.get_value();
        let cursor = if fresh { None } else { self.next.get_untracked() };
        self.loading.set(true);
        self.error.set(None);
        spawn_local(async move {
            let answer = fetch(cursor).await;
            // `try_`: the person may have left the page meanwhile.
            if self.generation.try_get_value() != Some(mine) {
                return;
            }
            match answer {
                Ok((items, next)) => {
                    self.items.try_update(|all| {
                        if fresh {
                            all.clear();
                        }
                        all.extend(items);
                    });
                    self.next.try_set(next);
                    self.loaded.try_set(true);
                }
                Err(e) => {
                    self.error.try_set(Some(Words::failed(failed, e)));
                }
            }
            self.loading.try_set(false);
        });
    }
}
