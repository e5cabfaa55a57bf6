//! Where generated choices come from: [`Dice`], read from an array that proptest
//! generates and shrinks, and [`SplitMix`], seeded, for the schema walk. Both choose
//! through [`Roll`], so a choice is made the same way whichever of them drives it.

/// Choices made from a stream of numbers.
pub(crate) trait Roll {
    /// The next number of the stream.
    fn next(&mut self) -> u64;

    /// A number below `n` (0 when `n` is 0); a number is drawn either way.
    fn roll(&mut self, n: usize) -> usize {
        let value = self.next();
        if n == 0 {
            0
        } else {
            (value % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.roll(100) < percent
    }

    fn pick<'a, T>(&mut self, list: &'a [T]) -> Option<&'a T> {
        if list.is_empty() {
            return None;
        }
        list.get(self.roll(list.len()))
    }

    fn one_of<T: Clone>(&mut self, list: &[T]) -> T {
        list[self.roll(list.len())].clone()
    }
}

/// Sixteen generated numbers read one after another (and mixed once used up), so that
/// one generated array drives a whole command and shrinks towards the first choices.
#[derive(Debug, Clone)]
pub(crate) struct Dice {
    rolls: [u32; 16],
    used: usize,
}

impl Dice {
    pub(crate) fn new(rolls: [u32; 16]) -> Dice {
        Dice { rolls, used: 0 }
    }
}

impl Roll for Dice {
    fn next(&mut self) -> u64 {
        let i = self.used;
        self.used += 1;
        let base = self.rolls[i % 16];
        let number = if i < 16 {
            base
        } else {
            (base ^ (i as u32).wrapping_mul(0x9E37_79B9)).rotate_left((i / 16) as u32 * 7)
        };
        u64::from(number)
    }
}

/// A small deterministic generator for the schema walk (splitmix64).
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }
}

impl Roll for SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
