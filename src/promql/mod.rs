//! PromQL front end: lexer, parser and AST with a byte span on every node.
