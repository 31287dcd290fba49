//! The wasm-bindgen facade: the only module that knows about JavaScript.
