# The discretised digits space of the search benchmark's table (bench/build_table.py evaluates
# every combination once) and the search benchmark's goals on it: the default example's model on
# a Zynq-7020, with the default example's budgets and a latency budget (which also makes latency
# count in the hypervolume: without a budget its reference is 100 us, and only accuracy would).
# Hidden layers and widths, learning rate and l2 decide the trained model (72 trainings);
# precision, strategy and reuse factor its mappings. The table: bench/tables/table_digits.jsonl.gz.
design table_digits

dataset digits

model mlp {
  hidden_layers = 1..2
  neurons = {16, 32, 64}
}

train {
  epochs = 20
  learning_rate = {1e-3, 3e-3, 1e-2}
  l2 = {1e-6, 1e-4}
}

hls {
  strategy = {latency, resource}
  precision = ap_fixed<{6, 8, 10, 12, 16}, {2, 4, 6}>
  reuse_factor = {1, 2, 4, 8, 16}
  clock_period = 5 ns
}

target xc7z020clg400-1

objectives {
  minimize fixed_error
  minimize latency_ns
}

constraints {
  dsp <= 220
  lut <= 80%
  latency_ns <= 400 ns
  fixed_accuracy >= 0.9
}

search {
  trials = 100
}
