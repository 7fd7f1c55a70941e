// reproduce qnlp: lambeq's MC experiment on generated data (placeholder until measured)
