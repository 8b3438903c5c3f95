//! Tests of the condition language: parsing, the printer round trip, evaluation per operator,
//! path and context, and the messages bad input gets.

mod errors;
mod eval;
mod parse;
mod roundtrip;
mod support;
