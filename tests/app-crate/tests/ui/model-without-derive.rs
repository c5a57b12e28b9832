// `entities::audit` is a sea-orm entity of the other crate without `#[derive(Streamable)]`.

streams::action_entity! {
    pub mod action {
        table_name = "action",
        verb = entities::verb::Verb,
        models = [entities::user, entities::audit],
        crate = ::streams,
    }
}

fn main() {
    let _ = action::Column::ActorUser;
}
