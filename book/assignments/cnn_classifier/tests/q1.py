OK_FORMAT = True

test = {   'name': 'q1',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> m = build_model((28, 28, 1), 10)\n'
                                               '>>> out = np.asarray(m.predict(np.zeros((2, 28, 28, 1)), verbose=0))\n'
                                               '>>> assert out.shape == (2, 10), out.shape\n',
                                       'failure_message': 'for 2 images the model must return shape (2, 10): one score per class',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
