"""Trains MLServer's iris model: a scikit-learn LogisticRegression on the iris
data set that ships with scikit-learn, the equivalent of inferlens's demo
softmax regression. Usage: python train_sklearn_iris.py OUT.joblib"""
import sys

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

# Enough iterations for lbfgs to converge on unscaled iris features.
MAX_ITERATIONS = 1000

features, labels = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=MAX_ITERATIONS).fit(features, labels)
joblib.dump(model, sys.argv[1])
print(f"iris LogisticRegression: accuracy {model.score(features, labels):.3f} on {len(labels)} rows")
