//! A local Baidu-compatible OAuth emulator.
