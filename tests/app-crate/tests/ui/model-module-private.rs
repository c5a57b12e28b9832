// `draft` derives `Streamable`, but its module is private to the other crate.

streams::action_entity! {
    pub mod action {
        table_name = "action",
        verb = entities::verb::Verb,
        models = [entities::user, entities::private::draft],
        crate = ::streams,
    }
}

fn main() {
    let _ = action::Column::ActorUser;
}
