/// Duplicates: what ICT's duplicate sweep reports and does.
///
/// ``DuplicateReport`` turns the index's duplicate sets into ``DuplicateSet``s sorted by the space their
/// extra copies take, each with the copy ``KeepPolicy`` suggests keeping and why. ``FolderTwins`` finds
/// whole duplicated folder trees. ``Quarantine`` moves the extra copies aside, only after re-checking each
/// against the kept copy byte by byte, and ``Quarantine/restore(from:)`` puts them back exactly.
public enum Duplicates {}
