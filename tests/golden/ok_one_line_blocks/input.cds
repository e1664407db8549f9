# Statements end at a newline, a ";" or the closing brace.
design tiny
dataset digits { test_fraction = 0.25; seed = 1 }
model mlp { hidden_layers = 1..2; neurons = {16, 32} }
hls { precision = ap_fixed<12, 4>; reuse_factor = {1, 2} }
target xc7a15t { lut = 10400; ff = 20800; dsp = 45; bram_18k = 50 }
objectives { minimize fixed_error, lut }
constraints { dsp <= 45; fixed_accuracy >= 0.8 }
