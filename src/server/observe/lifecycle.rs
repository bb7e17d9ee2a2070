//! Where this instance is in its life, for the probes: `/livez` answers while the
//! process can serve at all; `/readyz` only while it should get traffic, so a shutdown
//! says "not ready" first and load balancers move away before anything is refused.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

#[derive(Clone, Default)]
pub struct Lifecycle {
    shutting_down: Arc<AtomicBool>,
}

impl Lifecycle {
    /// From now on `/readyz` answers 503.
    pub fn shutting_down(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}
