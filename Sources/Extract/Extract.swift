/// Extract: what an item is and, with later work, what is inside it.
///
/// ``TypeSniffer`` asks libmagic about an item's first bytes and ``TypeRefiner`` sharpens the answer with
/// container knowledge (a zip named `.docx` is a Word document). ``FileHead`` reads those first bytes
/// without ever blocking on a FIFO or following a link swapped in after the walk.
public enum Extract {}
