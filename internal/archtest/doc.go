// Package archtest holds tests of the repository's own rules, which no
// single package owns: comments and user-facing text stand alone, without
// citing documents or numbers that are not in the repository, and the
// README's architecture list names every package.
package archtest
