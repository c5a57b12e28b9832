// The models' crate is `entities`.

streams::action_entity! {
    pub mod action {
        table_name = "action",
        verb = entities::verb::Verb,
        models = [entites::user],
        crate = ::streams,
    }
}

fn main() {
    let _ = action::Column::ActorUser;
}
