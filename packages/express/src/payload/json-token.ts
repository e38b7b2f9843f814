import type { ScanError, SyntaxKind } from 'jsonc-parser';

// The jsonc-parser scanner's token kinds and its "no error" code. The library declares them as const enums,
// which `verbatimModuleSyntax` cannot read as values: each constant's type names the member it stands for,
// and the compiler checks that the number is that member's.

export const OPEN_BRACE: SyntaxKind.OpenBraceToken = 1;
export const CLOSE_BRACE: SyntaxKind.CloseBraceToken = 2;
export const OPEN_BRACKET: SyntaxKind.OpenBracketToken = 3;
export const CLOSE_BRACKET: SyntaxKind.CloseBracketToken = 4;
export const COMMA: SyntaxKind.CommaToken = 5;
export const COLON: SyntaxKind.ColonToken = 6;
export const NULL: SyntaxKind.NullKeyword = 7;
export const TRUE: SyntaxKind.TrueKeyword = 8;
export const FALSE: SyntaxKind.FalseKeyword = 9;
export const STRING: SyntaxKind.StringLiteral = 10;
export const NUMBER: SyntaxKind.NumericLiteral = 11;
export const LINE_BREAK: SyntaxKind.LineBreakTrivia = 14;
/** A word (`NaN`) or a sign (`-` before `Infinity`) the scanner does not know: one token each. */
export const UNKNOWN: SyntaxKind.Unknown = 16;
export const WHITESPACE: SyntaxKind.Trivia = 15;
export const EOF: SyntaxKind.EOF = 17;
export const NO_SCAN_ERROR: ScanError.None = 0;
