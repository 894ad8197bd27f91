/// Records: everything that decides what may be held, reviewed, moved or deleted, for the command line and the
/// web app alike (they parse input and render output; the rules live here).
///
/// ``Scope`` turns a hold's scope or a folder filter given in any form into the one glob below the scan roots.
/// ``Holds`` places and releases holds with their log rows. ``DisposalReview`` is the one definition of a
/// disposal candidate and of its decision; ``Decider`` records decisions against a snapshot of the file.
/// ``Disposer`` carries out approved decisions (quarantine, BagIt transfer, review), purges, and finishes or
/// undoes a run that was cut short; ``SafeFS`` does its file operations through verified descriptors, never a
/// name looked up again or a link followed. ``DisposalLog`` appends to the hash chain and checks it against the
/// heads noted outside the index.
public enum Records {}
