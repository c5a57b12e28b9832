//! `Relation` (one foreign key per role column), `Related` where a model has one column,
//! and a `Linked` type per column.

use super::Plan;
use crate::attr::path_text;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn generate(plan: &Plan) -> TokenStream {
    let set_null = &plan.input.set_null;
    let relations = plan.slots.iter().map(|slot| {
        let (field, column, model) = (&slot.field, &slot.column, slot.model);
        let path = &model.path;
        let belongs_to = format!("{}::Entity", path_text(path));
        let to = format!("{}::Column::{}", path_text(path), model.info.pk_column);
        let from = format!("Column::{column}");
        let on_delete = slot.role.on_delete(set_null);
        let doc = format!("`{field}` references `{}`.", model.info.name);
        quote! {
            #[doc = #doc]
            #[sea_orm(belongs_to = #belongs_to, from = #from, to = #to, on_update = "Cascade", on_delete = #on_delete)]
            #column,
        }
    });
    let links = plan.slots.iter().map(|slot| {
        let (field, column, path) = (&slot.field, &slot.column, &slot.model.path);
        let link = format_ident!("{column}Link");
        let doc = format!(
            "Follows `{field}` to its `{}` (`find_also_linked`, `find_linked`).",
            slot.model.info.name
        );
        quote! {
            #[doc = #doc]
            #[derive(Clone, Copy, Debug, Default)]
            pub struct #link;
            #[automatically_derived]
            impl sea_orm::Linked for #link {
                type FromEntity = Entity;
                type ToEntity = #path::Entity;
                fn link(&self) -> ::std::vec::Vec<sea_orm::LinkDef> {
                    ::std::vec![sea_orm::RelationTrait::def(&Relation::#column)]
                }
            }
        }
    });
    // `Related` only where a model appears in one column; otherwise the `*Link` types.
    let related = plan.models.iter().filter_map(|model| {
        let mut slots = plan.slots.iter().filter(|s| std::ptr::eq(s.model, model));
        let (Some(slot), None) = (slots.next(), slots.next()) else {
            return None;
        };
        let (path, column) = (&model.path, &slot.column);
        Some(quote! {
            #[automatically_derived]
            impl sea_orm::Related<#path::Entity> for Entity {
                fn to() -> sea_orm::RelationDef {
                    sea_orm::RelationTrait::def(&Relation::#column)
                }
            }
        })
    });
    quote! {
        /// The foreign keys: one per registered model per role.
        #[derive(Clone, Copy, Debug, sea_orm::EnumIter, sea_orm::DeriveRelation)]
        pub enum Relation {
            #(#relations)*
        }

        #(#related)*
        #(#links)*
    }
}
