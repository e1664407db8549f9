design tiny
dataset digits
model mlp {
  hidden_layers = 1
  neurons = 16
}
target xc7z020clg400-1
objectives {
  minimize fixed_error, lut
}
train {
  epochs = 10
  early_stopping = 3
  lr_schedule = {constant, plateau, cosine}
}
compress {
  prune { sparsity = 0.5..0.9; steps = 3; rewind = true }
  scale { factor = 0.5..1 }
  quantize { method = {ptq, qat, hgq}; beta = 1e-6..1e-4 log }
}
