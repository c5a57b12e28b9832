pub mod user {
    #[derive(stream_core::Streamable)]
    #[stream(actor)]
    pub enum Model {
        Anonymous,
    }
}

fn main() {}
