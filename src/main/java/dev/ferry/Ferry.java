package dev.ferry;
public final class Ferry { public static void main(String[] a) {} }
