"""Tokenized datasets as trainers read them: `formats` writes and reads datatrove's `.ds` file sets and
Megatron-LM / NeMo's mmap indexed `.bin` + `.idx` pairs."""
