//! Answers kept with the state of the store they were computed from: a page asks again at each
//! visit, and the answer changes only when the store does (and, for some, with the day).

use std::cell::RefCell;

use relm_store::{Stamp, Store};

use crate::error::Result;

/// The last answer to one kind of question: its question (`K`), the store's stamp when it was
/// computed, and the answer. One per replica: a replica is used by one thread at a time.
#[derive(Debug)]
pub(crate) struct Kept<K, V>(RefCell<Option<(Stamp, K, V)>>);

impl<K, V> Default for Kept<K, V> {
    fn default() -> Self {
        Kept(RefCell::new(None))
    }
}

impl<K: PartialEq, V: Clone> Kept<K, V> {
    /// The answer to `question`: the one kept, when it was asked last and the store has not
    /// changed since; else `compute`d and kept. Only what `question` names and the store may
    /// change the answer: a clock it reads must be in the question.
    pub(crate) fn get(
        &self,
        store: &Store,
        question: K,
        compute: impl FnOnce() -> Result<V>,
    ) -> Result<V> {
        let _snapshot = store.snapshot()?;
        // Read before computing: a commit in between then only makes the next call compute
        // again, never keeps an older answer under a newer stamp.
        let stamp = store.stamp()?;
        if let Some((s, q, v)) = &*self.0.borrow()
            && *s == stamp
            && *q == question
        {
            return Ok(v.clone());
        }
        let answer = compute()?;
        *self.0.borrow_mut() = Some((stamp, question, answer.clone()));
        Ok(answer)
    }
}
